import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR, readSearch, scenarioIn, search } from './search-cli-helpers.ts';

/**
 * `fanout-bench search` against the local emulator finds a limit and names what set it from
 * evidence: on the emulator as it is, the host. A file of its own (beside search-cli.test.ts) so that each search's couple
 * of minutes is one file's time.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-search-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scenario = (name: string, text: string) => scenarioIn(dir, name, text);

describe('fanout-bench search on the emulator', () => {
  it('on the emulator as it is, finds a limit and names the host', { timeout: 240_000 }, async () => {
    const out = join(dir, 'host');
    // a 1 s warm-up takes the first cold starts out of the judged window (on a CI host busy with
    // other suites, cold starts alone once put the first step's p99 over the SLO), and 8 messages/s
    // is a first step the host meets even then. The steps go up to 2,048 messages/s: the stage's
    // throttle is raised to the account's so that the host, not the stage's default 500/s, is what
    // the search can meet
    const r = await search([scenario('host', `name: host\ntarget: { stageRps: 10000, stageBurst: 5000 }\n${EMULATOR}`), '--vary', 'rate', '--slo', 'broadcast.p99 < 500ms', '--from', '8', '--to', '2048', '--hold', '1500ms', '--resolution', '100%', '--shards', '1', '--out', out, '--warm-up', '1s']);
    const s = readSearch(out);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(s.answer, r.stdout).toMatchObject({ kind: 'limit-found', limitingFactor: 'local-host' });
    expect(s.answer.maxPassing).toBeGreaterThanOrEqual(8);
    expect(s.answer.evidence[0]!.line).toMatch(/^local host (busy|held back)/);
  });
});
