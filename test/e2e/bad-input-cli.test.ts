import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildResults } from '../report/fixtures.ts';
import { expectOneLine, runCli } from './cli.ts';

/**
 * The mistakes a new user was seen to make, through the real CLI: each is one line naming the
 * path or the flag, exit 2, no stack trace, and nothing started. (The fuzzing test covers the
 * scenario and flag space at large; these are the paths and the ones that used to hang.) A CLI
 * process costs about 0.7 CPU-s: a refusal whose words are proven in-process, through the function
 * the CLI calls, runs here only when it is the one proof of its way out of the CLI. So the alias
 * bomb and the duplicate key are test/common/data-file.test.ts's (the scenario file's reader; the
 * directory below is its way out), and the ranges (--duration 25h and 0, timeouts.ack 0, --clients
 * past a million, --shards 1000) test/session/run-input.test.ts's (the flags read, then the run's
 * input checked, as the CLI does; a flag's way out is --duration 0 below, a scenario field's the
 * send phase of 0, the host's the --dry-run refusals).
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-bad-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], timeoutMs = 60_000) => runCli(args, { timeoutMs });

describe('bad paths and values, from the CLI', { timeout: 120_000 }, () => {
  it('--out under /proc (Node\'s recursive mkdir spun there forever) and --out naming a file', async () => {
    expectOneLine(await cli(['run', 'fanout', '--out', '/proc/fb-out']), '--out /proc/fb-out: cannot create a run directory under /proc (ENOENT)');
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expectOneLine(await cli(['run', 'fanout', '--out', join(file, 'reports')]), `--out ${join(file, 'reports')}: ${file} is not a directory`);
  });

  it('a scenario that is a directory', async () => {
    const d = join(dir, 'scenario.yaml');
    mkdirSync(d);
    expectOneLine(await cli(['run', d]), `${d}: not a regular file (expected a scenario file)`);
  });

  it('--memory with a remote target', async () => {
    expectOneLine(
      await cli(['run', 'fanout', '--target', 'ws://127.0.0.1:1/x', '--memory', 'fanout-send-message=512']),
      "--memory: sets a Lambda's memory in the local emulator (--target local) only; a deployed stack's is set when it is deployed (cdk deploy -c memory=MB)",
    );
  });

  it('--summary of a length there is not, to run and to report, before anything starts', async () => {
    const [run, report, plain] = await Promise.all([cli(['run', 'fanout', '--summary', 'short']), cli(['report', '--artillery', 'nope.json', '--summary', 'all']), cli(['report', 'reports/x', '--summary', 'full'])]);
    expectOneLine(run, '--summary: must be brief or full, got short');
    expectOneLine(report, '--summary: must be brief or full, got all');
    expectOneLine(plain, "--summary: applies to --artillery and --repull only (a run directory's reports are written, no summary printed)");
    // compare, search, plan and trend read it the same way, before they measure or read anything
    const others = await Promise.all([
      cli(['compare', 'fanout', '--memory', '256,512', '--summary', 'short']),
      cli(['search', 'fanout', '--vary', 'rate', '--slo', 'broadcast.p99 < 1s', '--summary', 'short']),
      cli(['plan', 'nope', '--connections', '10', '--room-size', '2', '--messages-per-s', '1', '--summary', 'short']),
      cli(['trend', 'nope', '--summary', 'short']),
    ]);
    for (const r of others) expectOneLine(r, '--summary: must be brief or full, got short');
  });

  it('a client count the host cannot hold, refused before load (--dry-run) with what it holds and why: memory, open files, ports', async () => {
    const envs = join(dir, 'envs.yaml');
    writeFileSync(envs, 'name: e\nclients: 2\nrooms: 1\ntarget: { hostMaxEnvironments: 10000000 }\nphases: [{ connect: {} }]\n');
    expectOneLine(await cli(['run', envs, '--dry-run']), new RegExp(`^fanout-bench: ${envs}: target\\.hostMaxEnvironments: a local stack at 10000000 Lambda environments \\(32 MB each\\) needs about [\\d,.]+ GB, with the harness [\\d,.]+ GB; this host has [\\d,.]+ GB available: set fewer \\(--ignore-host-limits runs it anyway\\)\n$`));
    // a shard is a process: its open files bound the clients it holds
    expectOneLine(await cli(['run', 'fanout', '--clients', '40000', '--shards', '1', '--target', 'ws://127.0.0.1:1/x', '--dry-run']), /^fanout-bench: --shards: 1 shard\(s\) cannot hold 40000 clients \(at most \d+ per shard process, which may open \d+ files\)\n$/);
    // a remote target: every connection an ephemeral port of one source address
    expectOneLine(
      await cli(['run', 'fanout', '--clients', '60000', '--target', 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod', '--dry-run']),
      /^fanout-bench: --clients: 60000 connections to abc\.execute-api\.eu-west-1\.amazonaws\.com need 60,000 local ports, but one source address has [\d,]+ \(net\.ipv4\.ip_local_port_range\) \(--ignore-host-limits runs it anyway\)\n$/,
    );
  });

  it('a send phase of 0 (it ran, sent nothing and passed): the scenario field or the flag, exit 2, nothing started', async () => {
    const zero = join(dir, 'send-zero.yaml');
    writeFileSync(zero, 'name: z\nclients: 2\nrooms: 1\nphases:\n  - connect: {}\n  - join: {}\n  - send: { duration: 0, rate: 5 }\n');
    const out = join(dir, 'send-zero-out');
    expectOneLine(await cli(['run', zero, '--out', out]), `${zero}: phases[2].send.duration: must be from 1ms to 24h`);
    expectOneLine(await cli(['run', 'fanout', '--duration', '0', '--out', out]), '--duration: must be from 1ms to 24h, got "0ms"');
    expectOneLine(await cli(['compare', '--memory', '256,512', 'fanout', '--duration', '0s', '--out', out]), '--duration: must be from 1ms to 24h, got "0ms"');
    expect(existsSync(out)).toBe(false);
  });

  it('a list flag before the scenario leaves the scenario alone (commander\'s variadic --function took it as a function)', async () => {
    const out = join(dir, 'list-flags-out');
    const nosuch = join(dir, 'nosuch.yaml');
    const notFound = `${nosuch}: not a built-in scenario (default, connect-storm, fanout, cold-start, stale-cleanup, push) nor a scenario file`;
    // the scenario is the scenario: named as missing, before anything starts
    expectOneLine(await cli(['compare', '--memory', '256,1769', '--function', 'fanout-send-message', nosuch, '--out', out]), notFound);
    expectOneLine(await cli(['compare', '--memory', '256,1769', '--function', 'fanout-send-message,fanout-join-room', '--function', 'fanout-connect', nosuch, '--out', out]), notFound);
    expectOneLine(await cli(['compare', '--memory', '256,1769', '--weight', '0.2,0.8', '--weight', '0.5', nosuch, '--out', out]), notFound);
    expectOneLine(await cli(['run', '--memory', 'fanout-send-message=512', nosuch, '--out', out]), notFound);
    // comma-separated and repeated lists, each item checked
    expectOneLine(await cli(['compare', '--memory', '256,1769', '--function', 'fanout-send-message,', 'fanout', '--out', out]), '--function: an empty item in "fanout-send-message," (a comma-separated list, e.g. --function a,b)');
    expectOneLine(await cli(['compare', '--memory', '256,1769', '--weight', '0.2', '--weight', '0.8,2', 'fanout', '--out', out]), '--weight: must be a number from 0 to 1, got "2"');
    expect(existsSync(out)).toBe(false);
  });

  it('--dry-run prints the plan and starts nothing', async () => {
    const out = join(dir, 'dry');
    const r = await cli(['run', 'fanout', '--dry-run', '--clients', '50', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fanout-bench fanout: valid: 50 clients in 20 rooms on \d+ shard\(s\), phases connect, join, fanout, about [\d.]+s, against local; estimated memory [\d,]+ MB of \d{1,3}(,\d{3})* MB available\nquotas: the local emulator's limits \(its defaults: AWS's, and the stage throttle the CDK app deploys\); it refuses messages over its size, not frames\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('report into a directory it cannot write: one line naming the file', async () => {
    const runDir = join(dir, 'run');
    mkdirSync(runDir);
    writeFileSync(join(runDir, 'results.json'), JSON.stringify(buildResults()));
    // index.html taken by a directory: the write fails whoever runs the test (root ignores permissions)
    mkdirSync(join(runDir, 'index.html'));
    expectOneLine(await cli(['report', runDir]), `${join(runDir, 'index.html')}: cannot write (EISDIR)`);
    expect(readdirSync(runDir).sort()).toEqual(['index.html', 'results.json']);
  });
});
