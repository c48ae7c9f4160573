import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isScalar, LineCounter, parseDocument, visit, type Tags } from 'yaml';
import { UserError } from './errors.ts';

/**
 * A user's YAML or JSON file (a scenario, a price list), read with bounds: at most `maxBytes`
 * (a typo'd path to a log or a disk image must not be read whole), parsed in linear time, and
 * every mistake one line naming the file and, where the parser knows it, `file:line:column`.
 *
 * YAML 1.2 is a superset of JSON, so anything not named `.json` is read as YAML. The yaml
 * library's own duplicate-key check compares every key with every other (a 540 KB mapping took
 * 10 s), so it is off and keys are checked here with one set per mapping. Aliases are bounded by
 * the library (an alias bomb is refused, not expanded).
 */
export const MAX_DATA_FILE_BYTES = 1024 * 1024;

export interface ReadDataFileOptions {
  /** what the file is, for messages: "scenario file", "price file" */
  what: string;
  maxBytes?: number;
  /** YAML tags beyond the core schema's (CloudFormation's short forms `!Ref`, `!Sub`, …) */
  yamlTags?: Tags;
  /** how many alias expansions a YAML file may make (the library's default, 100, when absent) */
  maxAliasCount?: number;
}

export function readDataFile(file: string, options: ReadDataFileOptions): unknown {
  const text = readBounded(file, options.what, options.maxBytes ?? MAX_DATA_FILE_BYTES);
  return file.endsWith('.json') ? parseJson(file, text) : parseYaml(file, text, options);
}

/** A regular file's text, at most `maxBytes`; every problem one UserError naming the file (never its content). */
export function readBounded(file: string, what: string, maxBytes: number): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO would otherwise wait for a writer (regular files ignore the flag)
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new UserError(`${file}: cannot read ${what} (${errCode(err)})`);
  }
  try {
    // A FIFO or a device would block or never end: only regular files are read.
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserError(`${file}: not a regular file (expected a ${what})`);
    // /proc files report size 0, so the bound is on what is read, not on what stat says.
    const tooBig = () => new UserError(`${file}: larger than ${formatBytes(maxBytes)}, the most a ${what} may be`);
    if (st.size > maxBytes) throw tooBig();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooBig();
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read ${what} (${errCode(err)})`);
  } finally {
    closeSync(fd);
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    // V8 names the offset ("… at position 42"); turn it into line:column.
    const at = /position (\d+)/.exec(message);
    const where = at ? `:${lineColumn(text, Number(at[1]))}` : '';
    throw new UserError(`${file}${where}: not valid JSON: ${message}`);
  }
}

function parseYaml(file: string, text: string, options: ReadDataFileOptions): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, lineCounter: lines, customTags: options.yamlTags });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    // Too deep for the parser's stack: where it ran out depends on the stack, so no position.
    if (e.code === 'RESOURCE_EXHAUSTION') throw new UserError(`${file}: not valid YAML: nested too deeply (${e.message.split('\n')[0]})`);
    throw new UserError(`${at(e.pos[0])}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  // Duplicate keys, linearly: a set of the scalar keys of each mapping.
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const { key } of map.items) {
        // a collection as a key is not a field name: the schema refuses it as an unknown key
        if (!isScalar(key)) continue;
        const k = String(key.value);
        if (seen.has(k)) throw new UserError(`${at(key.range?.[0] ?? 0)}: not valid YAML: duplicate key "${k}"`);
        seen.add(k);
      }
    },
  });
  try {
    return doc.toJS({ maxAliasCount: options.maxAliasCount ?? 100 });
  } catch (err) {
    // unresolved aliases, and too many of them (the library's guard against an alias bomb)
    throw new UserError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `${line}:${offset - start + 1}`;
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}
