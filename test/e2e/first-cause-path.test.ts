import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli } from './cli.ts';
import { firstWhys, unwrapped } from './first-whys.ts';

/**
 * A first cause read from where the messages stopped, through the CLI as a user meets it, on a
 * small fixture stack of our own: a Python send that swallows its error (`except: pass`). Its loss
 * is named at the last hop its messages reached (every one reached the function, none reached
 * @connections) and by what the function did there (returned without error, logged nothing).
 */
const SWALLOWED = join(resolve(import.meta.dirname, '../..'), 'test/fixtures/stacks/python-swallowed/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-first-cause-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a first cause read from where the messages stopped', () => {
  it('a Python send swallowing its error: every message reached it, none reached @connections, and it returned without error', { timeout: 150_000 }, async () => {
    const file = join(work, 'swallowed.yaml');
    // two clients, connecting one at a time: each Python environment is a process whose INIT
    // (boto3) costs most of a CPU-second, and a sender with one member to miss is the whole story
    const lines = ['name: swallowed', 'rooms: 1', 'seed: 7', 'protocol: sendmessage', 'clients: 2', 'timeouts: { loss: 4s, grace: 2s }'];
    writeFileSync(file, [...lines, 'phases:', '  - connect: { rate: 20, maxInFlight: 1 }', '  - send: { duration: 2s, rate: 1 }', ''].join('\n'));
    const out = join(work, 'out');
    const r = await runCli(['run', file, '--template', SWALLOWED, '--prepared', '0', '--summary', 'full', '--out', out], { timeoutMs: 140_000 });
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.thresholdsCrossed);
    const dir = join(out, readdirSync(out)[0]!);
    const results = Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
    const { sent } = results.sends;
    // nothing is ever posted: every expected delivery is lost, whatever the host's speed
    expect(results.deliveries).toMatchObject({ received: 0, lost: results.deliveries.expected });
    const named = new RegExp(
      `${sent} messages? of ${sent} that reached gateway:sendmessage reached python-swallowed-SendMessageFunction-\\w+; it made no @connections call for any of them; it returned without error and logged none`,
    );
    const stdout = unwrapped(r.stdout);
    const whys = firstWhys(stdout, dir);
    expect(whys.console).toMatch(new RegExp(`^first cause \\(no lost deliveries\\): ${named.source}`));
    expect(whys.md).toMatch(new RegExp(`^> Why: no lost deliveries\\. ${named.source}`));
    expect(whys.html).toMatch(new RegExp(`^Why: no lost deliveries\\. ${named.source}`));
    expect(stdout).toMatch(/what would move it: python-swallowed-SendMessageFunction-\w+'s code returned without posting and said nothing/);
  });
});
