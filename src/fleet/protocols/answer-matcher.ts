import type { AnswerMatcher } from '../../contracts/protocol-schema.ts';
import { parseJsonPath, readJsonPath } from '../../contracts/json-path.ts';

/**
 * An answer matcher compiled: a substring of the frame's text, or a JSON path whose value exists
 * (or equals the given one). Only frames the fast path did not take (no probe) reach it, and only
 * while a join or send waits for its answer.
 */
export type CompiledMatcher = (text: string, json: () => unknown) => boolean;

export function compileMatcher(m: AnswerMatcher): CompiledMatcher {
  if ('contains' in m) {
    const needle = m.contains;
    return (text) => text.includes(needle);
  }
  const steps = parseJsonPath(m.json);
  const hasEquals = 'equals' in m;
  const want = m.equals;
  return (_text, json) => {
    const v = readJsonPath(json(), steps);
    return hasEquals ? v === want : v !== undefined;
  };
}

/** JSON.parse once per frame, on demand; undefined when the frame is not JSON. */
export function lazyJson(text: string): () => unknown {
  let done = false;
  let v: unknown;
  return () => {
    if (!done) {
      done = true;
      try {
        v = JSON.parse(text);
      } catch {
        v = undefined;
      }
    }
    return v;
  };
}

/**
 * API Gateway's own answers to a client frame (`{"message":"Forbidden"}`, `{"message":"Internal
 * server error"}`, its throttles): errors whatever protocol the stack speaks.
 */
export function gatewayError(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const keys = Object.keys(json);
  const m = (json as Record<string, unknown>).message;
  if (typeof m !== 'string' || !keys.every((k) => k === 'message' || k === 'connectionId' || k === 'requestId')) return undefined;
  return `${/too many requests|limit exceeded|throttl/i.test(m) ? 'throttle' : 'frame'}:${m}`;
}
