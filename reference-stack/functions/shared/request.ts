import type { z } from 'zod';
import type { MessageEvent, RouteResult } from './events.ts';
import { fail } from './respond.ts';

/** Reading and validating a message route's body. */

export type BodyResult = { ok: true; value: unknown } | { ok: false };

export function parseBody(event: MessageEvent): BodyResult {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** zod issues as one line naming each field: `room: must be 1-128 characters …; name: …` */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}

export type ParsedRequest<T> = { ok: true; data: T } | { ok: false; response: RouteResult };

/** Parse the body and validate it against the action's schema; a mistake becomes BAD_REQUEST. */
export function parseRequest<S extends z.ZodType>(event: MessageEvent, schema: S, action: string): ParsedRequest<z.output<S>> {
  const body = parseBody(event);
  if (!body.ok) return { ok: false, response: fail('BAD_REQUEST', 'body is not valid JSON', action) };
  const parsed = schema.safeParse(body.value);
  if (!parsed.success) return { ok: false, response: fail('BAD_REQUEST', describeIssues(parsed.error.issues), action) };
  return { ok: true, data: parsed.data };
}
