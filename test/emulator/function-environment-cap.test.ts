import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { functionEnvironmentCap } from '../../emulator/lambda/pool/function-environment-cap.ts';

/**
 * The host cap reads the host's cores once (it is asked for on every invocation and admission
 * check, and availableParallelism() is a system call: bench/queued-fanout's profile); asked with no
 * cores, it is the cap for this host's.
 */
describe('functionEnvironmentCap', () => {
  it("is the cap for this host's cores when none are given", () => {
    for (const memoryMB of [128, 256, 1024, 1769, 10_240]) {
      for (const perCore of [0, 1, 2]) expect(functionEnvironmentCap(memoryMB, perCore)).toBe(functionEnvironmentCap(memoryMB, perCore, availableParallelism()));
    }
  });
});
