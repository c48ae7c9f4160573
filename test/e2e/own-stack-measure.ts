import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';
import { scenarioFiles } from './scenario-files.ts';

/**
 * What the files measuring stacks of other protocols through the CLI share (own-stack-protocols,
 * aws-metrics-own-stack-targets, python-stack; template-knobs counts its deliveries with it): the
 * fixtures, a scenario writer and a run as a user runs it.
 */
const ROOT = resolve(import.meta.dirname, '../..');
export const SENDMESSAGE = join(ROOT, 'test/fixtures/stacks/sendmessage-broadcast/template.yaml');
export const ROOMS = join(ROOT, 'test/fixtures/stacks/sam-rooms/template.yaml');

/** The SAM rooms fixture's protocol, described: room in the connect URL, raw deliveries, no acks. */
const ROOMS_PROTOCOL = [
  'protocol:',
  '  name: rooms',
  '  connect: { query: { room: "{{room}}" } }',
  '  membership: { model: connect }',
  '  send: { frame: { action: publish, text: "{{probe}}" } }',
];

export function ownStackWork(prefix: string) {
  const { dir, scenario: write } = scenarioFiles(prefix);
  const scenario = (name: string, lines: string[]) => write(name, [`name: ${name}`, ...lines, ''].join('\n'));
  return {
    dir,
    scenario,
    /**
     * two rooms of three on the rooms fixture, 2 s of sends. The loss timeout is long because these
     * files count deliveries, not time them: on a busy CI host the 256 MB functions' CPU share made
     * every delivery 5-6 s late and an 8 s timeout called three of them lost.
     */
    roomsScenario: (name: string) =>
      scenario(name, ['clients: 6', 'rooms: 2', 'seed: 7', ...ROOMS_PROTOCOL, 'timeouts: { loss: 30s, grace: 4s }', 'phases:', '  - connect: { rate: 50 }', '  - send: { duration: 2s, rate: 3 }']),
    /** `fanout-bench run …` to its end; its results, its exit code judged as the verdict says */
    async measure(name: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Results> {
      const out = join(dir, `out-${name}`);
      const r = await runCli(['run', ...args, '--out', out, '--shards', '1', '--no-progress'], { timeoutMs: 240_000, cwd: dir, ...(env ? { env } : {}) });
      const [run] = existsSync(out) ? readdirSync(out) : [];
      expect(run, `no results: ${r.stderr}`).toBeDefined();
      const results = Results.parse(JSON.parse(readFileSync(join(out, run!, 'results.json'), 'utf8')));
      expectPassedButForHost(r.code, results, `${r.stdout}\n${r.stderr}`);
      return results;
    },
  };
}

/** Every delivery accounted for, each message's fan-out completed, latencies present. */
export function expectAllDelivered(r: Results, expected: number): void {
  expect(r.deliveries).toMatchObject({ expected, received: expected, lost: 0, duplicates: 0 });
  expect(r.sends.acked).toBe(0);
  expect(r.metrics.broadcast.count).toBe(expected);
  expect(r.metrics.fanoutCompletion!.count).toBe(r.sends.sent);
}

/** The publish function's invocations in CloudWatch, and the pull complete for what it expects. */
export function publishInvocations(r: Results): number {
  const cw = r.cloudwatch!;
  expect(cw.status, JSON.stringify(cw.completeness)).toBe('complete');
  const fn = cw.functions.find((f) => f.includes('PublishFunction'))!;
  return cw.lambda[fn]!.invocations;
}
