import { expect } from 'vitest';
import { UserError } from '../../common/errors.ts';

/** A target that must not open: the refusal it gives instead, a UserError with its exit code (2: a user's mistake; 1: the service failed). */
export async function refusal(p: Promise<unknown>, exitCode: 1 | 2 = 2): Promise<UserError> {
  const err = await p.then(
    () => expect.fail('the target was opened'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  expect((err as UserError).exitCode).toBe(exitCode);
  return err as UserError;
}
