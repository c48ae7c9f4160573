import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withOverrides } from '../../src/scenarios/scenario-overrides.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin/index.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';
import { messageOf } from './scenario-refusal.ts';
import { stackUpArgs } from '../../src/local-stack/stack-flags.ts';
import { stackLaunchOf } from '../../src/local-stack/stack-knobs.ts';
import { emulatorQuotas } from '../../src/targets/target-quotas.ts';

const dir = mkdtempSync(join(tmpdir(), 'fb-scenarios-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const GOOD = `name: tiny
description: a small fan-out
clients: 40
rooms: 4
roomSizes: { distribution: zipf, exponent: 1.2 }
target: { lostDisconnectShare: 0.5, dynamodbThrottleShare: 0.1, memory: { fanout-send-message: 512 } }
phases:
  - connect: { rate: 100, maxInFlight: 20 }
  - join: {}
  - send: { name: main, duration: 5s, rate: 10, senders: { share: 0.25 }, payloadBytes: 200 }
  - idle: { duration: 500ms }
  - drop: { share: 0.1 }
  - send: { duration: 2, rate: 5 }
`;

describe('scenario files', () => {
  it('accepts a valid YAML file and normalizes it', () => {
    const s = loadScenario(file('good.yaml', GOOD));
    expect(s.name).toBe('tiny');
    expect(s.roomSizes).toEqual({ distribution: 'zipf', exponent: 1.2 });
    expect(s.target).toEqual({ lostDisconnectShare: 0.5, dynamodbThrottleShare: 0.1, memory: { 'fanout-send-message': 512 } });
    expect(stackLaunchOf(s.target)).toEqual({
      settings: { faults: { lostDisconnectShare: 0.5, dynamodbThrottleShare: 0.1 }, functions: { 'fanout-send-message': { memoryMB: 512 } } },
    });
    expect(stackUpArgs(stackLaunchOf(s.target))).toEqual(['--lost-disconnect-share', '0.5', '--dynamodb-throttle-share', '0.1', '--memory', 'fanout-send-message=512']);
    expect(s.phases.map((p) => `${p.kind}:${p.name}`)).toEqual([
      'connect:connect', 'join:join', 'send:main', 'idle:idle', 'drop:drop', 'send:send',
    ]);
    expect(s.phases[2]).toMatchObject({ durationMs: 5_000, rate: 10, senders: { share: 0.25 }, payloadBytes: 200 });
    expect(s.phases[5]).toMatchObject({ durationMs: 2_000, senders: { perRoom: 1 }, payloadBytes: 64 });
    expect(s.timeouts).toEqual({ connectMs: 30_000, ackMs: 30_000, graceMs: 2_000, lossMs: 30_000 });
  });

  it('accepts JSON', () => {
    const p = file('good.json', JSON.stringify({ name: 'j', clients: 2, rooms: 1, phases: [{ connect: {} }] }));
    expect(loadScenario(p).phases).toHaveLength(1);
  });

  it('an unknown key names the file and the field', () => {
    const p = file('unknown.yaml', GOOD.replace('rate: 100, maxInFlight', 'rate: 100, maxInFlite'));
    expect(messageOf(p)).toBe(`${p}: phases[0].connect.maxInFlite: unknown key`);
    const q = file('unknown-top.yaml', `${GOOD}colour: blue\n`);
    expect(messageOf(q)).toBe(`${q}: colour: unknown key`);
  });

  it('target.runtime picks the emulated Lambda runtime (stack up --runtime); an unknown one names the field', () => {
    const s = loadScenario(file('runtime.yaml', GOOD.replace('target: { ', 'target: { runtime: nodejs24.x, ')));
    expect(stackLaunchOf(s.target).settings?.lambda).toEqual({ runtime: 'nodejs24.x' });
    expect(stackUpArgs(stackLaunchOf(s.target)).slice(-2)).toEqual(['--runtime', 'nodejs24.x']);
    expect(stackLaunchOf({ runtime: 'nodejs20.x' })).toEqual({ settings: { lambda: { runtime: 'nodejs20.x' } } });
    const p = file('runtime-bad.yaml', GOOD.replace('target: { ', 'target: { runtime: nodejs18.x, '));
    expect(messageOf(p)).toBe(`${p}: target.runtime: Invalid option: expected one of "nodejs20.x"|"nodejs22.x"|"nodejs24.x"`);
  });

  it('target.accountConcurrency, accountRps, accountBurst, stageRps, stageBurst and idleTimeoutRule reach the stack, and the quotas the run is held to', () => {
    const s = loadScenario(file('limits.yaml', GOOD.replace('target: { ', 'target: { accountConcurrency: 4, accountRps: 300, accountBurst: 60, stageRps: 50, stageBurst: 20, idleTimeoutRule: client, ')));
    const launch = stackLaunchOf(s.target);
    expect(launch.settings?.lambda).toEqual({ accountConcurrency: 4 });
    expect(launch.settings?.limits).toEqual({ accountRps: 300, accountBurst: 60, stageRps: 50, stageBurst: 20, idleTimeoutRule: 'client' });
    expect(stackUpArgs(launch)).toEqual(
      expect.arrayContaining(['--account-concurrency', '4', '--account-rps', '300', '--account-burst', '60', '--stage-rps', '50', '--stage-burst', '20', '--idle-rule', 'client']),
    );
    const quotas = emulatorQuotas(s.target);
    const q = quotas.limits;
    expect([q.lambdaConcurrency, q.accountRequestsPerSecond, q.accountRequestBurst, q.requestsPerSecond, q.requestBurst]).toEqual([
      { value: 4, source: 'emulator-config' },
      { value: 300, source: 'emulator-config' },
      { value: 60, source: 'emulator-config' },
      { value: 50, source: 'emulator-config' },
      { value: 20, source: 'emulator-config' },
    ]);
    expect(quotas.idleRule).toEqual({ rule: 'client', source: 'emulator-config' });
    // unset: the stage throttle the CDK app deploys, the account's as AWS documents it, traffic either way resets the idle timer
    const plain = emulatorQuotas({});
    expect([plain.limits.requestsPerSecond?.value, plain.limits.requestBurst?.value, plain.limits.accountRequestsPerSecond?.value, plain.idleRule.rule]).toEqual([500, 1000, 10_000, 'either']);
    const p = file('limits-bad.yaml', GOOD.replace('target: { ', 'target: { accountConcurrency: 0, '));
    expect(messageOf(p)).toMatch(new RegExp(`^${p}: target.accountConcurrency: `));
  });

  it('a wrong type names the file and the field', () => {
    const p = file('type.yaml', GOOD.replace('clients: 40', 'clients: forty'));
    expect(messageOf(p)).toBe(`${p}: clients: Invalid input: expected number, received string`);
    const q = file('duration.yaml', GOOD.replace('duration: 5s', 'duration: soon'));
    expect(messageOf(q)).toBe(`${q}: phases[2].send.duration: must be a duration like "30s", "500ms", "2m" or a number of seconds`);
  });

  it('a send phase of 0 ms (it would send nothing and pass) names the field; an idle phase may be 0', () => {
    const p = file('send-zero.yaml', GOOD.replace('duration: 5s', 'duration: 0'));
    expect(messageOf(p)).toBe(`${p}: phases[2].send.duration: must be from 1ms to 24h`);
    const q = file('send-zero-ms.yaml', GOOD.replace('send: { duration: 2, rate: 5 }', 'send: { duration: 0ms, rate: 5 }'));
    expect(messageOf(q)).toBe(`${q}: phases[5].send.duration: must be from 1ms to 24h`);
    expect(loadScenario(file('idle-zero.yaml', GOOD.replace('idle: { duration: 500ms }', 'idle: { duration: 0 }'))).phases[3]).toMatchObject({ kind: 'idle', durationMs: 0 });
  });

  it('a missing field is named as missing', () => {
    const p = file('missing.yaml', GOOD.replace('clients: 40\n', ''));
    expect(messageOf(p)).toBe(`${p}: clients: missing (expected number)`);
  });

  it('a negative rate names the file and the field', () => {
    const p = file('negative.yaml', GOOD.replace('rate: 10,', 'rate: -10,'));
    expect(messageOf(p)).toBe(`${p}: phases[2].send.rate: must be a number > 0 and at most 1000000`);
  });

  it('other mistakes: a phase with two kinds, more rooms than clients, sends before joins', () => {
    const two = file('two.yaml', GOOD.replace('  - join: {}', '  - join: {}\n    idle: { duration: 1s }'));
    expect(messageOf(two)).toBe(`${two}: phases[1]: must name exactly one of connect, join, send, publish, idle, drop`);
    const rooms = file('rooms.yaml', GOOD.replace('rooms: 4', 'rooms: 400'));
    expect(messageOf(rooms)).toBe(`${rooms}: rooms: must not exceed clients (40)`);
    const order = file('order.yaml', GOOD.replace('  - join: {}\n', ''));
    expect(messageOf(order)).toBe(`${order}: phases[1].send: needs a join phase before it`);
  });

  it('YAML syntax errors and missing files are one line too', () => {
    const p = file('broken.yaml', 'name: [unclosed\n');
    expect(messageOf(p)).toBe(`${p}:2:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`);
    expect(messageOf(p)!.includes('\n')).toBe(false);
    expect(messageOf(join(dir, 'nope.yaml'))).toBe(
      `${join(dir, 'nope.yaml')}: not a built-in scenario (default, connect-storm, fanout, cold-start, stale-cleanup, push) nor a scenario file`,
    );
  });

  it('every built-in scenario validates and is runnable alone', () => {
    for (const name of Object.keys(BUILTIN_SCENARIOS)) {
      const s = loadScenario(name);
      expect(s.name).toBe(name);
      expect(s.phases.length).toBeGreaterThan(0);
    }
    expect(loadScenario(undefined).name).toBe('default');
  });

  it('flags override clients, rooms and every send phase, and the recorded definition follows', () => {
    const s = withOverrides(loadScenario('default'), { clients: 50, rooms: 5, durationMs: 1_500, rate: 3 });
    expect(s.clients).toBe(50);
    for (const p of s.phases) if (p.kind === 'send') expect(p).toMatchObject({ durationMs: 1_500, rate: 3 });
    expect(s.definition).toMatchObject({ clients: 50, rooms: 5 });
    expect(() => withOverrides(loadScenario('fanout'), { rooms: 500 })).toThrow('--rooms: must not exceed clients (200)');
    expect(() => withOverrides(loadScenario('fanout'), { clients: 10 })).toThrow('--clients: rooms: must not exceed clients (10)');
  });
});
