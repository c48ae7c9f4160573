/**
 * A DynamoDB number as DynamoDB stores it (and dynalite answers it): no exponent, no leading or
 * trailing zeros, no plus sign ("1.50" → "1.5", "0001e2" → "100", "-0" → "0"). A stream record's
 * NewImage of a PutItem is the request's item, so its numbers are put in this form; most numbers
 * already are, and pay one regular expression test.
 */
const CANONICAL = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;
const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export function canonicalNumber(n: string): string {
  if (CANONICAL.test(n) && n !== '-0') return n;
  const m = NUMBER.exec(n.trim());
  if (!m) return n; // dynalite refused the write already; nothing is recorded of it
  const whole = m[2] ?? '';
  let digits = whole + (m[3] ?? '');
  let point = whole.length + Number(m[4] ?? 0);
  const lead = /^0*/.exec(digits)![0].length;
  digits = digits.slice(lead).replace(/0+$/, '');
  point -= lead;
  if (digits === '') return '0';
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return m[1] === '-' ? `-${out}` : out;
}
