import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli } from './cli.ts';

/**
 * A local stack that does not start ends the same way in every mode that starts one (the one
 * session of src/session/session.ts): one line naming why and the stack's log, exit 2, and in the
 * session's directory a results.json saying failed and why, its reports and the stack's log.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-failed-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The emulator refuses its config file (an unknown key) and exits before it is ready.
const config = join(dir, 'bad-stack.yaml');
writeFileSync(config, 'limits:\n  idleTimeoutSecs: 5\n');
const scenario = join(dir, 'stack-fails.yaml');
writeFileSync(
  scenario,
  'name: stack-fails\nclients: 4\nrooms: 2\ntarget: { config: ./bad-stack.yaml }\nphases:\n  - connect: {}\n  - join: {}\n  - send: { duration: 1s, rate: 2 }\n',
);
const REASON = `local stack exited before it was ready (code 2): ${config}: limits.idleTimeoutSecs: unknown key`;

const MODES: Array<[string, string[]]> = [
  ['run', ['run', scenario]],
  ['compare --memory', ['compare', scenario, '--memory', '256,512']],
  ['compare --room-size (a stack per point)', ['compare', scenario, '--room-size', '1,2']],
  ['search', ['search', scenario, '--vary', 'rate', '--slo', 'broadcast.p99 < 1s', '--from', '1', '--to', '2', '--hold', '1s']],
];

describe('a local stack that fails to start', () => {
  it.each(MODES)('%s: one line naming why and its log, exit 2; results.json in the session directory says failed and why', { timeout: 120_000 }, async (_mode, args) => {
    const out = join(dir, args.slice(0, 3).join('-').replace(/[^A-Za-z0-9-]+/g, '_'));
    const r = await runCli([...args, '--out', out, '--no-progress']);
    const sessions = readdirSync(out);
    expect(sessions).toHaveLength(1);
    const session = join(out, sessions[0]!);
    const log = readdirSync(session).find((f) => f.endsWith('stack.log'))!;
    expect(r.code).toBe(2);
    // the error is the last line (a sweep says which point it was starting before it)
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`fanout-bench: ${REASON} (its log: ${join(session, log)})`);
    const results = Results.parse(JSON.parse(readFileSync(join(session, 'results.json'), 'utf8')));
    expect(results.status).toBe('failed');
    expect(results.statusReason).toBe(REASON);
    expect(results.sends.sent).toBe(0);
    expect(results.verdict?.outcome).toBe('run-failed');
    for (const report of ['index.html', 'summary.md', 'junit.xml']) expect(existsSync(join(session, report)), report).toBe(true);
    expect(readFileSync(join(session, log), 'utf8')).toContain('limits.idleTimeoutSecs: unknown key');
  });
});
