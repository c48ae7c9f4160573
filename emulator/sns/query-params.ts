import type { MessageAttribute } from '../service-targets.ts';

/**
 * How the AWS Query protocol flattens SNS's structured parameters into a form, as the SDK v3 and
 * boto3 write them: lists as `<Name>.member.<n>.<Field>`, maps as `<Name>.entry.<n>.key` /
 * `.value` (message attributes: `.Name` / `.Value.DataType` / `.Value.StringValue` /
 * `.Value.BinaryValue`), n counting from 1.
 */

/** The members of a list, each as its own parameters (the `<Name>.member.<n>.` prefix taken off), in order. */
export function queryList(params: URLSearchParams, name: string): URLSearchParams[] {
  const byIndex = new Map<number, URLSearchParams>();
  const prefix = `${name}.member.`;
  for (const [key, value] of params) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    const index = Number(dot < 0 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(index)) continue;
    let member = byIndex.get(index);
    if (!member) byIndex.set(index, (member = new URLSearchParams()));
    member.set(dot < 0 ? '' : rest.slice(dot + 1), value);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, m]) => m);
}

/** A `key`/`value` map (`Attributes.entry.<n>.key`). */
export function queryMap(params: URLSearchParams, name: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries(params, name)) {
    const key = entry.get('key');
    if (key !== null) map.set(key, entry.get('value') ?? '');
  }
  return map;
}

/** Message attributes (`MessageAttributes.entry.<n>.Name`, `.Value.DataType`, `.Value.StringValue`, `.Value.BinaryValue`). */
export function queryMessageAttributes(params: URLSearchParams, name: string): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (const entry of entries(params, name)) {
    const attrName = entry.get('Name');
    if (attrName === null) continue;
    const stringValue = entry.get('Value.StringValue');
    const binaryValue = entry.get('Value.BinaryValue');
    out[attrName] = { dataType: entry.get('Value.DataType') ?? '', ...(stringValue !== null ? { stringValue } : {}), ...(binaryValue !== null ? { binaryValue } : {}) };
  }
  return out;
}

function entries(params: URLSearchParams, name: string): URLSearchParams[] {
  const byIndex = new Map<number, URLSearchParams>();
  const prefix = `${name}.entry.`;
  for (const [key, value] of params) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    if (dot < 0) continue;
    const index = Number(rest.slice(0, dot));
    let entry = byIndex.get(index);
    if (!entry) byIndex.set(index, (entry = new URLSearchParams()));
    entry.set(rest.slice(dot + 1), value);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, e]) => e);
}
