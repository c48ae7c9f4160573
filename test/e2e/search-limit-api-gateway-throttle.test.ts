import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulatorScenario, readSearch, search } from './search-cli-helpers.ts';
import { scenarioFiles } from './scenario-files.ts';

/**
 * `fanout-bench search` against the local emulator finds a limit and names what set it from
 * evidence: with the stage throttle lowered, API Gateway's throttle.
 * A file of its own, beside search-cli.test.ts, so that each search's minutes are one file's.
 */
const { dir, scenario } = scenarioFiles('fb-search-throttle-');

describe('fanout-bench search on the emulator', () => {
  it("with the stage throttle lowered, finds a limit and names API Gateway's throttle", { timeout: 180_000 }, async () => {
    const out = join(dir, 'throttle');
    // The stage's throttle counts the clients' messages only (its $connects and joins too, hence
    // their rates of 8/s), never the function's @connections posts: which step it refuses is the
    // token bucket's arithmetic, not how fast this host runs the function. 10 requests/s, burst 5,
    // over a 1.5 s hold: 4 messages/s (6) and 8 (12) fit the bucket's 5 + 15 evenly sent; 16 (24)
    // and 32 (48) do not. A host stall that bunches 8/s's sends can refuse some there, and one that
    // spreads 16/s's past 1.9 s can let them all through: the limit then falls a step lower or
    // higher, still the throttle's. No posts are throttled, so no function retries them, and the
    // messages that pass are answered far inside the SLO, which judges no step here. --prepared 0: no
    // environment is INIT'd ahead of need, and none holds a slot of the host's cap unused.
    const text = emulatorScenario({ connectRate: 8, joinRate: 8 });
    const file = scenario('throttle', `name: throttle\ntarget: { stageRps: 10, stageBurst: 5 }\n${text}`);
    const r = await search([file, '--vary', 'rate', '--slo', 'broadcast.p99 < 1500ms', '--from', '4', '--to', '64', '--hold', '1500ms', '--resolution', '100%', '--shards', '1', '--prepared', '0', '--out', out, '--warm-up', '500ms']);
    const s = readSearch(out);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(s.answer, r.stdout).toMatchObject({ kind: 'limit-found', limitingFactor: 'api-gateway-429' });
    expect(s.answer.maxPassing).toBeGreaterThanOrEqual(4);
    expect(s.answer.evidence[0]!.line).toMatch(/the stage's throttle of 10 requests\/s \(the emulator's config\), burst 5/);
  });
});
