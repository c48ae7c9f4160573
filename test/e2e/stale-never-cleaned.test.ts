import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { fmtNum } from '../../src/number-format.ts';
import { runCli, whyUnder } from './cli.ts';
import { firstWhys, unwrapped } from './first-whys.ts';

/**
 * The built-in check a drop brings, through the CLI on a stack this project did not write the
 * logic of: AWS's chat sample ported to the SDK v3 as it is (`e.statusCode === 410`, never true of
 * a v3 GoneException) never deletes a stale row, so every message after the drop posts to the
 * dropped connections again, and `stale connections cleaned` fails naming what its code did with
 * the 410s: caught, and ignored.
 */
const STALE = join(resolve(import.meta.dirname, '../..'), 'test/fixtures/stacks/stale-statuscode/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-stale-never-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a stack that never cleans its stale connections', () => {
  it("AWS's chat sample on the SDK v3 after a drop: the check fails, the 410s caught and ignored, each row posted to again", { timeout: 120_000 }, async () => {
    const file = join(work, 'never-cleans.yaml');
    // connects one at a time: one $connect environment to INIT, not one per client; a loss
    // timeout no busy host reaches, so a delivery lost is one the stack did not post
    const lines = ['name: never-cleans', 'rooms: 1', 'seed: 7', 'protocol: sendmessage', 'clients: 6', 'target: { lostDisconnectShare: 1 }', 'timeouts: { loss: 15s, grace: 1s }'];
    writeFileSync(file, [...lines, 'phases:', '  - connect: { rate: 20, maxInFlight: 1 }', '  - drop: { share: 0.34 }', '  - send: { duration: 3s, rate: 1 }', ''].join('\n'));
    const out = join(work, 'out');
    const r = await runCli(['run', file, '--template', STALE, '--prepared', '0', '--summary', 'full', '--out', out], { timeoutMs: 110_000 });
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.thresholdsCrossed);
    const dir = join(out, readdirSync(out)[0]!);
    const results = Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
    const { stale, sends } = results;
    expect(stale).toMatchObject({ dropped: 2, timeToCleanMs: null });
    // each message after the drop posts to both stale rows, but the rejected Promise.all returns
    // at the first 410, and Lambda's freeze may keep the other post from going out (as on AWS)
    expect(stale!.gone410).toBeGreaterThanOrEqual(sends.sent);
    expect(stale!.gone410).toBeLessThanOrEqual(2 * sends.sent);
    const perRow = fmtNum(stale!.gone410 / 2);
    const ignored = `no function's log names a GoneException: its code caught the 410s and ignored them; so the dropped connections were posted to again after their first 410 (${perRow} posts per dropped connection): their rows were never deleted`;
    const check = results.verdict!.checks.find((c) => c.name === 'stale connections cleaned')!;
    expect(check).toEqual({
      name: 'stale connections cleaned',
      passed: false,
      detail: `never cleaned: ${stale!.gone410} posts answered 410 to the 2 dropped clients' connections, the last of them at the run's last message; ${stale!.wastedPosts} wasted posts`,
    });
    const stdout = unwrapped(r.stdout);
    const why = whyUnder(stdout, 'stale connections cleaned');
    expect(why.slice(0, 2)).toEqual([`why: ${ignored}`, expect.stringMatching(/^what would move it: on a post answered 410 delete the connection's row and go on: in the AWS SDK v3 the error is a GoneException/)]);
    // the one way its code treated every 410 is a first cause wherever no loss's evidence outranks it
    if (results.deliveries.lost === 0) expect(firstWhys(stdout, dir).console).toBe(`first cause (stale connections cleaned): ${ignored}`);
  });
});
