import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../artillery/engine/src/plan.ts';
import { exportArtilleryScript, workerPlan } from '../../src/artillery-interop/export-script.ts';
import { ExportedScript } from '../../src/artillery-interop/plan-schema.ts';
import { UserError } from '../../common/errors.ts';
import { dropPlan } from '../../src/fleet/drop-plan.ts';
import { planRooms, roomSizes, sendersPerRoom } from '../../src/fleet/room-plan.ts';
import { withOverrides } from '../../src/scenarios/scenario-overrides.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';

// `artillery export`: a scenario as one Artillery worker's share. Every worker of a distributed
// Artillery run gets the same script, so N workers play it side by side; a room is never split.
// The command itself (files, flags, exit codes) is in test/e2e/artillery-commands.test.ts.

const URL_ = 'ws://127.0.0.1:9/local';
const options = (workers: number) => ({ workers, targetUrl: URL_, tokenIn: 'header' as const, seed: 11 });

describe('one worker\'s share of a scenario', () => {
  it('splits rooms, clients and every rate over the workers, and never splits a room', () => {
    const scenario = loadScenario('default'); // 200 clients, 20 zipf rooms, storm/join/fanout/idle/burst/drop/stale
    for (const workers of [1, 2, 4, 5, 10, 20]) {
      const plan = workerPlan(scenario, options(workers));
      expect(plan.workers).toBe(workers);
      // each worker: clients/N in rooms/N, sized by the scenario's distribution; together the scenario
      expect(plan.rooms).toEqual(roomSizes(200 / workers, 20 / workers, { distribution: 'zipf', exponent: 1 }));
      expect(plan.rooms.length * workers).toBe(scenario.rooms);
      expect(plan.rooms.reduce((a, b) => a + b, 0) * workers).toBe(scenario.clients);
      expect(plan.total).toEqual({ clients: 200, rooms: 20 });
      scenario.phases.forEach((p, i) => {
        const q = plan.phases[i];
        expect(q.kind).toBe(p.kind);
        expect(q.name).toBe(p.name);
        if ((p.kind === 'connect' || p.kind === 'join') && q.kind === p.kind) {
          expect(q.rate * workers).toBeCloseTo(p.rate, 9);
          expect(q.maxInFlight).toBe(Math.max(1, Math.ceil(p.maxInFlight / workers)));
        }
        if (p.kind === 'send' && q.kind === 'send') {
          expect(q.rate * workers).toBeCloseTo(p.rate, 9);
          expect(q.durationMs).toBe(p.durationMs);
          expect(q.senders).toEqual([...sendersPerRoom(planRooms(200 / workers, 20 / workers, scenario.roomSizes, 11), p.senders)]);
        }
        if (p.kind === 'idle' && q.kind === 'idle') expect(q.durationMs).toBe(p.durationMs);
        if (p.kind === 'drop' && q.kind === 'drop') {
          // the harness's choice of who drops on the worker's rooms, counted per room
          const rooms = planRooms(200 / workers, 20 / workers, scenario.roomSizes, 11);
          const maxSenders = Int32Array.from(plan.rooms.map(() => 1));
          const dropped = dropPlan(rooms, p.share, maxSenders, 11);
          expect(q.members.reduce((a, b) => a + b, 0)).toBe(dropped.length);
          expect(q.members.reduce((a, b) => a + b, 0) * workers).toBe(Math.round(0.2 * 200));
          q.members.forEach((n, r) => expect(n).toBeLessThanOrEqual(plan.rooms[r] - 1)); // quiet members first: the sender stays
        }
      });
      expect(plan.timeouts).toEqual(scenario.timeouts);
    }
  });

  it('is the scenario itself for one worker, the flags applied', () => {
    const scenario = withOverrides(loadScenario('fanout'), { clients: 60, rooms: 6, rate: 12, durationMs: 3000 });
    const plan = workerPlan(scenario, options(1));
    expect(plan.rooms).toEqual([...planRooms(60, 6, scenario.roomSizes, 11).sizes]);
    expect(plan.phases.find((p) => p.kind === 'send')).toMatchObject({ rate: 12, durationMs: 3000 });
    expect(plan.scenario).toMatchObject({ name: 'fanout', thresholds: [] });
    expect(plan.scenario.definition).toMatchObject({ clients: 60, rooms: 6 });
  });

  it('refuses more workers than rooms, and loads that do not divide among identical workers', () => {
    const scenario = loadScenario('fanout'); // 200 clients, 20 rooms
    const problem = (workers: number, s = scenario) => {
      try {
        workerPlan(s, options(workers));
        return undefined;
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        return (err as Error).message;
      }
    };
    expect(problem(21)).toBe('--workers: 21 workers but 20 rooms: a room never spans workers, so at most 20 workers');
    expect(problem(3)).toBe(
      '--workers: 20 rooms do not divide among 3 workers (every Artillery worker runs the same script, so each plays 1/3 of the scenario): choose a divisor, or --rooms 18',
    );
    expect(problem(4, withOverrides(scenario, { clients: 202 }))).toMatch(/^--workers: 202 clients do not divide among 4 workers .*--clients 200$/);
    expect(problem(20)).toBeUndefined();
  });

  it('writes a script Artillery, the engine and the report all read: the plan under config.engines.fanout, one virtual user per worker', () => {
    const scenario = loadScenario('stale-cleanup');
    const { text, plan } = exportArtilleryScript(scenario, { ...options(2), engineDir: '../artillery/engine' });
    const script = parse(text);
    expect(script.config.target).toBe(URL_);
    expect(script.config.phases).toEqual([{ name: 'fanout-bench stale-cleanup', arrivalCount: 1, duration: 1 }]);
    expect(script.config.includeFiles).toEqual(['../artillery/engine']);
    expect(script.scenarios).toEqual([{ name: 'stale-cleanup', engine: 'fanout', protocol: 'chat-v1' }]);
    const { protocol: _protocol, ...played } = plan;
    expect(ExportedScript.parse(script).config.engines.fanout).toEqual(played);
    // the engine's own reader accepts what the harness wrote
    expect(readPlan(script.config.engines.fanout, script.scenarios[0].protocol)).toEqual({ plan });
    // lists of numbers stay on one line: a worker may hold thousands of rooms
    expect(text).toMatch(/^ {6}rooms: \[\d+(, \d+)*\]$/m);
  });
});

describe('the scenario\'s protocol in the script', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-export-protocol-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const scenarioWith = (protocol: string) => {
    const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, `name: mine\nclients: 12\nrooms: ${protocol === 'sendmessage' ? 1 : 4}\nprotocol: ${protocol}\nphases:\n  - connect: { rate: 100 }\n  - send: { duration: 2s, rate: 4 }\n`);
    return loadScenario(file);
  };
  const exported = (scenario: ReturnType<typeof loadScenario>, workers = 1) => parse(exportArtilleryScript(scenario, options(workers)).text);

  it('carries chat-v1 (the default) by name', () => {
    const script = exported(loadScenario('fanout'), 2);
    expect(script.scenarios[0].protocol).toBe('chat-v1');
    expect(readPlan(script.config.engines.fanout, script.scenarios[0].protocol)).toMatchObject({ plan: { protocol: 'chat-v1' } });
  });

  it('carries a described protocol from its file whole, and the engine reads it back as the scenario has it', () => {
    const description = {
      name: 'room-in-url',
      connect: { query: { room: '{{room}}', user: 'bench-{{client}}' } },
      membership: { model: 'connect' },
      send: { frame: { type: 'say', body: { text: '{{probe}}' } } },
      recipients: 'others',
    };
    writeFileSync(join(dir, 'room-url.yaml'), JSON.stringify(description));
    const scenario = scenarioWith('{ file: ./room-url.yaml }');
    const script = exported(scenario, 2);
    // the file's content, not its path: a worker has no scenario folder; in the script's scenario,
    // which Artillery does not template (it renders {{…}} in config with its own variables)
    expect(script.scenarios[0].protocol).toEqual(description);
    expect(script.config.engines.fanout.protocol).toBeUndefined();
    const read = readPlan(script.config.engines.fanout, script.scenarios[0].protocol);
    expect('plan' in read && read.plan.protocol).toEqual(scenario.protocol.kind === 'described' && scenario.protocol.description);
  });

  it('carries sendmessage as its description (the engine needs no list of built-in names)', () => {
    const script = exported(scenarioWith('sendmessage'));
    expect(script.scenarios[0].protocol).toEqual({
      name: 'sendmessage',
      membership: { model: 'all' },
      send: { frame: { action: 'sendmessage', data: '{{probe}}' } },
      recipients: 'room',
    });
  });

  it('refuses a protocol module in one line naming the field: a worker could not load its code', () => {
    writeFileSync(join(dir, 'mine.ts'), 'export default { membership: "all", sendFrame: ({ probe }) => probe };\n');
    const scenario = scenarioWith('{ module: ./mine.ts }');
    expect(() => exportArtilleryScript(scenario, options(1))).toThrow(UserError);
    expect(() => exportArtilleryScript(scenario, options(1))).toThrow(
      /^protocol\.module: .*mine\.ts: artillery export cannot carry a protocol module \(Artillery's workers load only the engine's bundle, not the scenario's code\): describe the protocol in the scenario instead, or measure it with fanout-bench run$/,
    );
  });
});
