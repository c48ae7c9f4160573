import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../artillery/engine/src/plan.ts';
import { workerPlan } from '../../src/artillery-interop/export-script.ts';
import { readExportedScript } from '../../src/artillery-interop/read-output.ts';
import { UserError } from '../../common/errors.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';

// The plan under config.engines.fanout has one schema and one set of bounds
// (src/artillery/plan-schema.ts): the engine checks the part a worker plays with it, the report
// the whole plan. A plan one refuses, the other refuses too, naming the same field the same way.

const dir = mkdtempSync(join(tmpdir(), 'fb-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = workerPlan(loadScenario('default'), { workers: 2, tokenIn: 'header', seed: 3 });

/** The report's reading of a script holding `plan`: its one line, without the file's name. */
function reportProblem(plan: unknown): string | undefined {
  const file = join(dir, 'script.json');
  writeFileSync(file, JSON.stringify({ config: { target: 'ws://127.0.0.1:9/', engines: { fanout: plan } } }));
  try {
    readExportedScript(file);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message.slice(`${file}: `.length);
  }
}

function engineProblem(plan: unknown): string | undefined {
  const read = readPlan(plan);
  return 'problem' in read ? read.problem.slice('config.engines.fanout.'.length) : undefined;
}

const send = good.phases.findIndex((p) => p.kind === 'send');
const drop = good.phases.findIndex((p) => p.kind === 'drop');
const idle = good.phases.findIndex((p) => p.kind === 'idle');
const withPhase = (i: number, change: Record<string, unknown>) => ({ ...good, phases: good.phases.map((p, k) => (k === i ? { ...p, ...change } : p)) });

describe('the plan: one schema, one set of bounds', () => {
  it('accepts what export writes, in the engine and in the report', () => {
    expect(engineProblem(good)).toBeUndefined();
    expect(reportProblem(good)).toBeUndefined();
  });

  it.each([
    ['another version', { ...good, version: 2 }, 'version: must be 1, got 2'],
    ['a placement of the token it does not know', { ...good, tokenIn: 'cookie' }, 'tokenIn: must be header or query'],
    ['no rooms', { ...good, rooms: [] }, 'rooms: must be a non-empty list of room sizes (integers > 0)'],
    ['a timer longer than a day', { ...good, timeouts: { ...good.timeouts, lossMs: 25 * 3_600_000 } }, 'timeouts.lossMs: must be a number of ms from 1 to 86400000'],
    ['an idle phase longer than a day', withPhase(idle, { durationMs: 25 * 3_600_000 }), `phases[${idle}].durationMs: must be a number of ms from 0 to 86400000`],
    ['a rate past the bound', withPhase(send, { rate: 2e6 }), `phases[${send}].rate: must be a number > 0 and at most 1000000`],
    ['a payload no frame holds', withPhase(send, { payloadBytes: 200_000 }), `phases[${send}].payloadBytes: must be an integer from 0 to 126000`],
    ['senders for fewer rooms than it has', withPhase(send, { senders: [1] }), `phases[${send}].senders: must list, for each of the ${good.rooms.length} rooms, an integer from 0 to the room's size`],
    ['more dropped than a room holds', withPhase(drop, { members: good.rooms.map((n) => n + 1) }), `phases[${drop}].members: must list, for each of the ${good.rooms.length} rooms, an integer from 0 to the room's size`],
    ['a kind it cannot play', withPhase(idle, { kind: 'sleep' }), `phases[${idle}].kind: must be connect, join, send, idle or drop`],
  ])('refuses %s, naming the field the same way in both', (_what, plan, problem) => {
    expect(engineProblem(plan)).toBe(problem);
    expect(reportProblem(plan)).toBe(`config.engines.fanout.${problem}`);
  });

  it('the engine does not ask for what only the report reads (workers, seed, total, scenario)', () => {
    const { workers: _w, seed: _s, total: _t, scenario: _sc, ...played } = good;
    expect(engineProblem(played)).toBeUndefined();
    expect(reportProblem(played)).toBe('config.engines.fanout.workers: missing (expected number)');
  });
});
