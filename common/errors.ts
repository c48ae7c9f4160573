import { EXIT } from './exit-codes.ts';

/**
 * A mistake the user can fix (bad flag, bad file, unreachable target). The CLI prints its
 * message as one line and exits with `exitCode`; anything else is a bug and keeps its stack.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.badInput) {
    super(message);
    this.name = 'UserError';
  }
}

/** Format a zod issue path as a dotted field name: `limits.idleTimeoutSeconds`, `rooms[2].size`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}
