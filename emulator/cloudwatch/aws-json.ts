import type { z } from 'zod';

/**
 * An AWS JSON protocol error: `__type` names the exception so SDK v3 raises the right class.
 * CloudWatch is awsQueryCompatible: it also answers the query-era code in `x-amzn-query-error`.
 */
export class AwsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly queryCode?: string,
  ) {
    super(message);
    this.name = type;
  }
}

/** AWS's way of naming a request field: `MetricDataQueries.member.2.MetricStat.Period`. */
export function awsFieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `member.${p + 1}` : String(p))).join('.') || '(request)';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/**
 * Validate a request body; the first issue becomes an AwsApiError built by `toError`, told
 * whether the field was missing (CloudWatch answers MissingParameter then) or just invalid.
 */
export function parseRequest<T>(
  schema: z.ZodType<T>,
  body: unknown,
  toError: (field: string, missing: boolean, message: string) => AwsApiError,
): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const missing = issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined;
  const field = awsFieldPath(issue.path);
  const message = missing ? `The parameter ${field} is required.` : `The parameter ${field} is invalid: ${issue.message}`;
  throw toError(field, missing, message);
}
