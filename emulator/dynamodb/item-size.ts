/**
 * The size DynamoDB meters an item at, from its wire form (the JSON AttributeValue map), per the
 * Developer Guide's "Item sizes and formats": every attribute counts its name's UTF-8 bytes plus
 * its value — a string its UTF-8 bytes, a number 1 byte per two significant digits plus 1, a
 * binary its raw bytes, a boolean or null 1 byte, a list or map 3 bytes plus 1 byte per element
 * plus the elements (a map element counts its key too), a set the sum of its members.
 */

/** One attribute value as it travels in DynamoDB's JSON protocol. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: boolean }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { L: AttributeValue[] }
  | { M: Item };

export type Item = Record<string, AttributeValue>;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
const rawBytes = (base64: string) => Buffer.byteLength(base64, 'base64');

/** Significant digits of a DynamoDB number string ("-0012.500" → 3, "0" → 1, "1.5E+3" → 2). */
export function significantDigits(n: string): number {
  let mantissa = n.trim();
  const e = mantissa.search(/[eE]/);
  if (e >= 0) mantissa = mantissa.slice(0, e);
  const digits = mantissa.replace(/[^0-9]/g, '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.max(1, digits.length);
}

export function numberSize(n: string): number {
  return Math.ceil(significantDigits(n) / 2) + 1;
}

export function valueSize(v: AttributeValue): number {
  if ('S' in v) return utf8(v.S);
  if ('N' in v) return numberSize(v.N);
  if ('B' in v) return rawBytes(v.B);
  if ('BOOL' in v || 'NULL' in v) return 1;
  if ('SS' in v) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if ('NS' in v) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if ('BS' in v) return v.BS.reduce((n, s) => n + rawBytes(s), 0);
  if ('L' in v) return v.L.reduce((n, x) => n + 1 + valueSize(x), 3);
  if ('M' in v) {
    let n = 3;
    for (const [key, x] of Object.entries(v.M)) n += 1 + utf8(key) + valueSize(x);
    return n;
  }
  return 0;
}

export function itemSize(item: Item): number {
  let n = 0;
  for (const [name, value] of Object.entries(item)) n += utf8(name) + valueSize(value);
  return n;
}
