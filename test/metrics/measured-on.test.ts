import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { measuredOnEmulator } from '../../src/metrics/results/measured-on.ts';

// a recorded default run against the local emulator
const local = JSON.parse(readFileSync(new URL('../fixtures/plan/default-run/results.json', import.meta.url), 'utf8')) as Results;
const asRemote = (source: 'aws' | 'local'): Results => ({
  ...local,
  config: { ...local.config, target: { ...local.config.target, kind: 'remote', url: 'wss://abc.execute-api.us-east-1.amazonaws.com/prod' } },
  cloudwatch: { ...local.cloudwatch!, source },
});

describe('where a run was measured, read back from its results', () => {
  it('was measured on the emulator when its target was local, or its CloudWatch was the local stack’s (aws:<stack> against local endpoints)', () => {
    expect(measuredOnEmulator(local)).toBe(true);
    expect(measuredOnEmulator(asRemote('local'))).toBe(true);
    expect(measuredOnEmulator(asRemote('aws'))).toBe(false);
  });
});
