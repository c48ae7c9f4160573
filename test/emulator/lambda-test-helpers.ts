import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { InvokeOutcome } from '../../emulator/lambda/types.ts';

/** Absolute path of a fixture handler in test/fixtures/functions. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/functions/${name}`, import.meta.url));
}

/** Poll until `check` returns a truthy value (bounded), instead of sleeping a fixed time. */
export async function until<T>(check: () => T | undefined | false, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function expectOk(o: InvokeOutcome): Extract<InvokeOutcome, { kind: 'ok' }> {
  if (o.kind !== 'ok') expect.fail(`expected ok, got ${JSON.stringify(o)}`);
  return o;
}

export function expectError(o: InvokeOutcome): Extract<InvokeOutcome, { kind: 'error' }> {
  if (o.kind !== 'error') expect.fail(`expected error, got ${JSON.stringify(o)}`);
  return o;
}
