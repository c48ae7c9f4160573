import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import { runCli } from './cli.ts';

/**
 * A stack whose only API is a REST API (the seed walkthrough's, test/fixtures/stacks/rest-api-key)
 * is not refused: the emulator runs it (test/emulator/rest-walkthrough.test.ts), and a run says in
 * one line that there is no WebSocket API for its clients to connect to, exit 2, the stack it
 * started stopped; its failed run's report says why.
 */
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/rest-api-key/template.yaml', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'fb-rest-only-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const WHY = "stack rest-api-key has no WebSocket API to connect to (it serves REST API LambdaMicroservice): a run's clients connect to one; `fanout-bench stack up` serves the stack as it is";

describe('a run against a stack of a REST API alone', () => {
  it('says there is no WebSocket API to connect to, naming what the stack serves, exit 2', async () => {
    const r = await runCli(['run', '--template', TEMPLATE, '--prepared', '0', '--no-progress', '--out', out], { timeoutMs: 90_000 });
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.badInput);
    expect(r.stderr.trim().split('\n')).toContainEqual(expect.stringContaining(WHY));
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const text = readFileSync(join(out, readdirSync(out)[0]!, 'results.json'), 'utf8');
    expect((JSON.parse(text) as { status: string }).status).toBe('failed');
    expect(text).toContain(JSON.stringify(WHY).slice(1, -1));
  });
});
