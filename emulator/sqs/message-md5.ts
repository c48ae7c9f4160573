import { createHash } from 'node:crypto';
import type { MessageAttribute } from '../service-targets.ts';

/** MD5OfMessageBody / MD5OfBody: the hex MD5 of the body's UTF-8 bytes (the SDK v3 client checks it on send and receive). */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

/**
 * MD5OfMessageAttributes (and MD5OfMessageSystemAttributes), as SQS computes it and the SDKs that
 * check it recompute it: the attributes sorted by name (UTF-16 order, as Java's String sorts), each
 * as length-prefixed name, length-prefixed data type, a transport byte (1 String/Number, 2 Binary)
 * and the length-prefixed value bytes; lengths are 4-byte big-endian. Undefined when there are none.
 */
export function md5OfAttributes(attributes: Record<string, MessageAttribute> | undefined): string | undefined {
  const names = attributes ? Object.keys(attributes).sort() : [];
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const a = attributes![name]!;
    lengthPrefixed(hash, Buffer.from(name, 'utf8'));
    lengthPrefixed(hash, Buffer.from(a.dataType, 'utf8'));
    if (a.dataType.startsWith('Binary')) {
      hash.update(Buffer.of(2));
      lengthPrefixed(hash, Buffer.from(a.binaryValue ?? '', 'base64'));
    } else {
      hash.update(Buffer.of(1));
      lengthPrefixed(hash, Buffer.from(a.stringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

function lengthPrefixed(hash: ReturnType<typeof createHash>, bytes: Buffer): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  hash.update(length);
  hash.update(bytes);
}
