import type { z } from 'zod';
import { fieldPath } from '../../common/errors.ts';

/**
 * A schema's first complaint about a user's file as one phrase naming the field, e.g.
 * `phases[2].send.rate: must be a number > 0`: every file a user writes (a scenario, a variants
 * file, a plan's traffic file) says its mistakes the same way, after the file's name.
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `${fieldPath([...issue.path, issue.keys[0]])}: unknown key`;
  }
  // zod says a missing field is "expected number, received undefined": say it is missing
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(issue.message);
  if (missing) return `${fieldPath(issue.path)}: missing (expected ${missing[1]})`;
  return `${fieldPath(issue.path)}: ${issue.message}`;
}
