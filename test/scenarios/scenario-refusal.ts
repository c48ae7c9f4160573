import { expect } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';

/** The one line a user sees for a scenario file, or undefined if the file is valid: a refusal is a UserError, exit 2. */
export function messageOf(path: string): string | undefined {
  try {
    loadScenario(path);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    return (err as Error).message;
  }
}
