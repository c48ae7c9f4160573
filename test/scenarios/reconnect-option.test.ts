import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';
import { backoffDelay } from '../../src/fleet/reconnect-backoff.ts';
import { stackUpArgs } from '../../src/local-stack/stack-flags.ts';
import { stackLaunchOf } from '../../src/local-stack/stack-knobs.ts';

// A scenario's `reconnect` and `keepAlive`: read into milliseconds, refused in one line when the
// backoff has no bound or the keep-alive comes no sooner than the idle timeout; the backoff's waits.

const dir = mkdtempSync(join(tmpdir(), 'fb-reconnect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = ['name: rc', 'clients: 4', 'rooms: 1', 'phases:', '  - connect: {}', '  - join: {}', '  - send: { duration: 1s, rate: 1 }'];

function load(name: string, lines: string[]) {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, [...BASE, ...lines, ''].join('\n'));
  return { path: p, scenario: () => loadScenario(p) };
}

function messageOf(lines: string[]): string {
  const f = load('bad', lines);
  try {
    f.scenario();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message.replace(f.path, '<file>');
  }
  throw new Error('the scenario was accepted');
}

describe('reconnect and keepAlive in a scenario', () => {
  it('reads the backoff and the keep-alive into milliseconds, with their defaults', () => {
    const s = load('good', ['reconnect: { backoff: { initial: 200ms, max: 30s }, maxAttempts: 8 }', 'keepAlive: { interval: 5m }']).scenario();
    expect(s.reconnect).toEqual({ initialMs: 200, maxMs: 30_000, factor: 2, jitter: 0.5, maxAttempts: 8 });
    expect(s.keepAliveMs).toBe(300_000);
    const none = load('none', []).scenario();
    expect(none.reconnect).toBeUndefined();
    expect(none.keepAliveMs).toBeUndefined();
  });

  it('refuses a backoff with no upper bound, and a keep-alive no sooner than the idle timeout, in one line', () => {
    expect(messageOf(['reconnect: { backoff: { initial: 1s } }'])).toBe(
      '<file>: reconnect.backoff.max: a backoff needs an upper bound (e.g. max: 30s): without one a client waits longer after every failure, without end',
    );
    expect(messageOf(['reconnect: { backoff: { initial: 5s, max: 1s } }'])).toBe('<file>: reconnect.backoff.max: must be at least backoff.initial (5s)');
    expect(messageOf(['keepAlive: { interval: 10m }'])).toBe(
      "<file>: keepAlive.interval: must be shorter than the idle timeout (10m, API Gateway's): the connection would close before its keep-alive",
    );
    expect(messageOf(['target: { idleTimeoutSeconds: 2 }', 'keepAlive: { interval: 3s }'])).toBe(
      '<file>: keepAlive.interval: must be shorter than the idle timeout (2s, target.idleTimeoutSeconds): the connection would close before its keep-alive',
    );
    expect(messageOf(['protocol: sendmessage', 'keepAlive: { interval: 1m }'])).toBe('<file>: keepAlive: protocol sendmessage has no keep-alive frame (chat-v1 has: whoami)');
  });

  it("passes the emulator's idle timeout and connection lifetime knobs to stack up", () => {
    const s = load('knobs', ['target: { idleTimeoutSeconds: 2, maxConnectionSeconds: 3 }']).scenario();
    const args = stackUpArgs(stackLaunchOf(s.target));
    expect(args).toEqual(['--idle-timeout-seconds', '2', '--max-connection-seconds', '3']);
  });

  it('backs off exponentially up to its bound, each wait shortened by up to its jitter', () => {
    const p = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };
    expect([0, 1, 2, 3, 4, 10, 1000].map((a) => backoffDelay(p, a, 0))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(backoffDelay(p, 2, 0.999_999)).toBeCloseTo(200, 3);
    expect(backoffDelay({ ...p, jitter: 0 }, 3, 0.9)).toBe(800);
  });
});
