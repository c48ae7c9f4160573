import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { compare, expectHarnessNamed, readComparison } from './compare-sweep-helpers.ts';
import { scenarioFiles } from './scenario-files.ts';
import { inChromium } from './report-page.ts';

/**
 * `fanout-bench compare --room-size` against the local emulator, as a user runs it: each point on
 * a stack of its own, one comparison written, and its report drawn in real headless Chromium.
 * The functions at a full vCPU (1,769 MB) and no environments prepared ahead: the host cap then
 * holds each function to an environment or two, so the connect and join storms pay a few INITs,
 * not dozens (the test's claim is about posts per message, not cold starts). The payload and
 * variants sweeps are compare-sweeps-cli.test.ts.
 */
const { dir, scenario } = scenarioFiles('fb-sweep-rooms-');

describe('fanout-bench compare --room-size', () => {
  it('--room-size 5,20: the send function\'s work per message grows with the members, and the report draws in Chromium', { timeout: 150_000 }, async () => {
    // the same 50 deliveries per second at every size (the default): 10 messages per second to
    // rooms of 5, 2.5 to a room of 20. Many small messages keep the small rooms' p50 on warm
    // environments; a 20-member message is 20 posts from one invocation however warm. Kept small
    // for CI (two points, each a stack of its own; 20 clients, 2 s of sends, connects and joins one
    // at a time so that each boots one environment): the claim is a count per message, not a
    // load. How a third size in between is planned is roomSizePoints' unit test
    // (test/modes/sweep-points.test.ts).
    const file = scenario(
      'rooms',
      `name: rooms
clients: 20
rooms: 4
seed: 7
target: { memory: { fanout-send-message: 1769, fanout-connect: 1769, fanout-join-room: 1769, fanout-disconnect: 1769 }, preparedPerFunction: 0 }
phases:
  - connect: { rate: 100, maxInFlight: 1 }
  - join: { rate: 100, maxInFlight: 1 }
  - send: { duration: 2s, rate: 10 }
`,
    );
    const out = join(dir, 'rooms');
    const r = await compare([file, '--room-size', '5,20', '--threshold', 'fanoutCompletion.p50 < 10s', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { c, at } = readComparison(out);
    expect(c.parameter).toBe('room-size');
    expect(c.holdConstant).toBe('deliveries');
    expect(c.points.map((p) => [p.x, p.setting.rooms, p.setting.membersPerRoom, p.setting.messagesPerSecond, p.setting.deliveriesPerSecond])).toEqual([
      [5, 4, 5, 10, 50],
      [20, 1, 20, 2.5, 50],
    ]);
    // A message to 20 members is 20 posts from one sendMessage invocation, to 5 members 5: the
    // function's own count of its posts (its FanoutDeliveries EMF metric) per invocation carries
    // the claim. Neither its Duration nor fan-out completion is ordered on a shared host: both add
    // the time an invocation waits for a core (CI saw the mean Duration at 44, 247 and 227 ms for
    // 10, 50 and 200 members, and fan-out completion at 3.7 s for 10 against 0.8 s for 200).
    for (const p of c.points) {
      const run = JSON.parse(readFileSync(join(at, p.runs[0]!.dir!, 'results.json'), 'utf8')) as Results;
      const invocations = run.cloudwatch!.lambda['fanout-send-message']!.invocations;
      expect(invocations, p.label).toBe(run.sends.acked);
      expect(run.cloudwatch!.emf.FanoutDeliveries!.sum / invocations, p.label).toBe(p.x);
    }
    for (const p of c.points) expect(p.metrics.fanoutP50Ms!.median, p.label).toBeGreaterThan(0);
    // every point judged, and the recommendation is the largest that met the SLO
    for (const p of c.points) expect(p.slo).not.toBeNull();
    expectHarnessNamed(c);
    const met = c.points.filter((p) => p.slo!.met).map((p) => p.label);
    expect(c.recommendation.pick?.label ?? null).toBe(met.at(-1) ?? null);
    expect(r.stdout).toContain('largest room size within the SLO:');

    const errors = await inChromium(join(at, 'index.html'), async (page) => {
      const chart = page.locator('[data-chart="sweep-latency"]');
      expect(await chart.locator('canvas').count()).toBe(1);
      expect(await chart.locator('.u-legend .u-series .u-label').allTextContents()).toEqual(expect.arrayContaining(['members per room', 'fan-out completion p50', 'fan-out completion p99']));
      expect(await page.locator('[data-chart="sweep-cost"] canvas').count()).toBe(1);
      const rows = page.locator('section', { hasText: 'What each point ran' }).locator('tbody tr');
      expect(await rows.locator('td:first-child').allTextContents()).toEqual(['5 members', '20 members']);
      expect(await page.locator('.reco .card .label').first().textContent()).toBe('largest room size within the SLO');
    });
    expect(errors).toEqual([]);
  });
});
