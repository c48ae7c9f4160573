import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl from 'yauzl';
import { UserError } from '../../common/errors.ts';

/**
 * A deployment package unpacked as Lambda unpacks it, with the checks an untrusted zip needs:
 * no entry outside the target directory (`../`, an absolute path, a drive letter), no symbolic
 * link (it could point anywhere once unpacked), at most Lambda's 250 MB unzipped in all, counted
 * on the bytes actually inflated, not only on what the zip's directory claims, and at most
 * MAX_ENTRIES entries. yauzl streams entry by entry and checks each entry's declared size
 * against what it inflates (validateEntrySizes).
 */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;
export const MAX_ENTRIES = 100_000;
/** Lambda's limit on a zip uploaded directly; a bigger one goes through S3 and still unpacks to ≤ 250 MB. */
export const MAX_ZIP_BYTES = 250 * 1024 * 1024;

export interface ExtractOptions {
  /** what the zip is, for messages: `resource ChatFn property Code (fn.zip)` */
  what: string;
  maxBytes?: number;
}

export async function extractZip(zipFile: string, targetDir: string, options: ExtractOptions): Promise<void> {
  const maxBytes = options.maxBytes ?? MAX_UNZIPPED_BYTES;
  const fail = (why: string) => new UserError(`${options.what}: ${why}`);
  let size: number;
  try {
    const st = statSync(zipFile);
    if (!st.isFile()) throw fail(`${zipFile} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw fail(`${zipFile} does not exist`);
  }
  if (size > MAX_ZIP_BYTES) throw fail(`${zipFile} is larger than ${MAX_ZIP_BYTES / 1024 / 1024} MB`);
  const root = resolve(targetDir);
  mkdirSync(root, { recursive: true });
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((ok, ko) =>
      yauzl.open(zipFile, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false }, (err, z) => (err ? ko(err) : ok(z))),
    );
  } catch (err) {
    throw fail(`${zipFile} is not a readable zip (${(err as Error).message})`);
  }
  let total = 0;
  let entries = 0;
  try {
    await new Promise<void>((done, failed) => {
      zip.on('error', failed);
      zip.on('end', () => done());
      zip.on('entry', (entry: yauzl.Entry) => {
        handle(entry).then(() => zip.readEntry(), (err) => {
          zip.close();
          failed(err);
        });
      });
      zip.readEntry();
    });
  } catch (err) {
    if (err instanceof UserError) throw err;
    const message = (err as Error).message;
    // yauzl's own name checks (validateFileName) come first: `../x`, `/x`, `a\\..\\..\\x`
    if (/^(invalid relative path|absolute path|invalid characters in fileName)/.test(message)) {
      throw fail(`${zipFile}: an entry would unpack outside its directory (${message})`);
    }
    if (/too many bytes in the stream|not enough bytes in the stream/.test(message)) {
      throw fail(`${zipFile}: an entry's size is not what the zip says it is (${message})`);
    }
    throw fail(`${zipFile} is not a readable zip (${message})`);
  }

  async function handle(entry: yauzl.Entry): Promise<void> {
    if (++entries > MAX_ENTRIES) throw fail(`${zipFile} has more than ${MAX_ENTRIES} entries`);
    const name = entry.fileName.replaceAll('\\', '/');
    if (isAbsolute(name) || /^[A-Za-z]:/.test(name) || name.startsWith('/')) throw fail(`${zipFile}: entry ${JSON.stringify(entry.fileName)} has an absolute path`);
    const target = resolve(root, name);
    const rel = relative(root, target);
    if (rel.startsWith('..') || isAbsolute(rel) || (target !== root && !target.startsWith(root + sep))) {
      throw fail(`${zipFile}: entry ${JSON.stringify(entry.fileName)} would unpack outside its directory`);
    }
    // Unix mode in the high 16 bits of the external attributes, when made on Unix
    const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
    if (mode === 0o120000) throw fail(`${zipFile}: entry ${JSON.stringify(entry.fileName)} is a symbolic link, which is not unpacked`);
    if (name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      return;
    }
    if (total + entry.uncompressedSize > maxBytes) throw tooBig();
    mkdirSync(dirname(target), { recursive: true });
    const stream = await new Promise<NodeJS.ReadableStream>((ok, ko) => zip.openReadStream(entry, (err, s) => (err ? ko(err) : ok(s))));
    const counter = new Transform({
      transform(chunk: Buffer, _enc, next) {
        total += chunk.length;
        if (total > maxBytes) next(tooBig());
        else next(null, chunk);
      },
    });
    const executable = ((entry.externalFileAttributes >>> 16) & 0o111) !== 0;
    await pipeline(stream, counter, createWriteStream(join(target), { mode: executable ? 0o755 : 0o644, flags: 'wx' }));
  }

  function tooBig(): UserError {
    const bound = maxBytes % (1024 * 1024) === 0 ? `${maxBytes / 1024 / 1024} MB` : `${maxBytes} bytes`;
    return fail(`${zipFile} unpacks to more than ${bound} (Lambda's limit on a function's unzipped code is 250 MB)`);
  }
}
