import type { MessageAttribute } from '../service-targets.ts';
import { SqsError } from './sqs-errors.ts';

/** SQS's rules for message attributes (SendMessage's MessageAttributes), and which of them a receive asks for. */

const MAX_ATTRIBUTES = 10;
const NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** The characters SQS accepts in a body or a string value (XML's). */
const ALLOWED_TEXT = /^[\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/** A body or string value with characters SQS refuses → InvalidMessageContents. */
export function checkText(text: string, what: string): void {
  if (!ALLOWED_TEXT.test(text)) throw new SqsError('InvalidMessageContents', `Invalid characters found. Deleted message ${what} contains invalid characters.`);
}

/** Validated attributes (InvalidParameterValue in SQS's words otherwise). */
export function checkAttributes(attributes: Record<string, MessageAttribute> | undefined, system = false): void {
  if (!attributes) return;
  const names = Object.keys(attributes);
  if (names.length > MAX_ATTRIBUTES) {
    throw new SqsError('InvalidParameterValue', `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  }
  for (const name of names) {
    const a = attributes[name]!;
    if (system && name !== 'AWSTraceHeader') throw new SqsError('InvalidParameterValue', `Message system attribute name '${name}' is invalid.`);
    if (!NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..') || /^(aws\.|amazon\.)/i.test(name)) {
      throw new SqsError('InvalidParameterValue', `Message (user) attribute name '${name}' is invalid.`);
    }
    if (!a || typeof a.dataType !== 'string' || !DATA_TYPE.test(a.dataType)) {
      throw new SqsError('InvalidParameterValue', `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    const binary = a.dataType.startsWith('Binary');
    const value = binary ? a.binaryValue : a.stringValue;
    if (value === undefined || value === '') {
      throw new SqsError('InvalidParameterValue', `Message (user) attribute '${name}' must contain a non-empty value of type '${binary ? 'Binary' : a.dataType.split('.')[0]}'.`);
    }
    if (!binary) checkText(value, `attribute '${name}'`);
    if (a.dataType.startsWith('Number') && !NUMBER.test(value.trim())) {
      throw new SqsError('InvalidParameterValue', `Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
  }
}

/** The bytes SQS counts of attributes toward the message size: each name, data type and value. */
export function attributesSize(attributes: Record<string, MessageAttribute> | undefined): number {
  let size = 0;
  for (const [name, a] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.dataType);
    size += a.dataType.startsWith('Binary') ? Buffer.byteLength(a.binaryValue ?? '', 'base64') : Buffer.byteLength(a.stringValue ?? '');
  }
  return size;
}

/**
 * The attributes a receive's MessageAttributeNames asks for: `All` or `.*` every one, `prefix.*`
 * those whose name starts with `prefix.`, else the names listed. Undefined when none match.
 */
export function selectAttributes(
  attributes: Record<string, MessageAttribute> | undefined,
  names: readonly string[] | undefined,
): Record<string, MessageAttribute> | undefined {
  if (!attributes || !names || names.length === 0) return undefined;
  if (names.includes('All') || names.includes('.*')) return attributes;
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1));
  let out: Record<string, MessageAttribute> | undefined;
  for (const [name, a] of Object.entries(attributes)) {
    if (names.includes(name) || prefixes.some((p) => name.startsWith(p))) (out ??= {})[name] = a;
  }
  return out;
}
