import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliResult } from './cli.ts';

/**
 * `stack up --aws-metrics --aws-metrics-lag 5s` for the tests that wait for CloudWatch as AWS
 * publishes it (whole minutes, each 5 s after it ends, DynamoDB and EMF 10 s), and the CLI run
 * against it as `--target aws:FanoutBenchChat` with the real SDK clients pointed at the emulator by
 * the ready line's AWS_ENDPOINT_URL_* variables, as a user exports them. No mock. One stack per
 * command under test, so that no run's minutes hold another's traffic; the files that use it run
 * at once in CI's waiting lane, since each mostly waits for minutes to be published.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** small and short: 4 clients in one room, 2 s of sends */
export const SCENARIO = ['fanout', '--clients', '4', '--rooms', '1', '--duration', '2s', '--rate', '4', '--seed', '7', '--no-progress'];

export interface AwsTimedStack {
  child: ChildProcess;
  env: NodeJS.ProcessEnv;
}
const stacks: AwsTimedStack[] = [];

/** A stack whose CLI environment keeps its config and credentials files in `dir` (none there). */
export async function awsTimedStack(dir: string): Promise<AwsTimedStack> {
  const child = spawn(process.execPath, ['bin/fanout-bench.js', 'stack', 'up', '--aws-metrics', '--aws-metrics-lag', '5s', '--prepared', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  // CI starts this lane beside the whole suite: a first stack start there waited out 60 s
  const deadline = Date.now() + 150_000;
  while (!out.includes('\n')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ready line; stderr: ${err}`);
    await sleep(50);
  }
  const ready = JSON.parse(out.split('\n')[0]!) as { awsEndpointUrls: Record<string, string>; region: string };
  // the CLI's environment as a user's shell has it after pasting the export block: no other AWS settings
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, ready.awsEndpointUrls, {
    AWS_REGION: ready.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const stack = { child, env };
  stacks.push(stack);
  return stack;
}


export function stopAwsTimedStacks(): void {
  for (const s of stacks.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGTERM');
}

export const cliIn = (dir: string) => (args: string[], env?: NodeJS.ProcessEnv, timeoutMs = 400_000): Promise<CliResult> => runCli(args, { env, cwd: dir, timeoutMs });
export const onlyRun = (out: string) => {
  const [name] = readdirSync(out);
  return join(out, name!);
};
export const results = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
/**
 * The cost's work counts: requests, messages and write units. Not time (GB-s, connection-minutes),
 * nor read units: joinRoom reads a room's metadata once per execution environment, so reads follow
 * how many environments the load happened to start.
 */
export const workCounts = (r: { cost: { lines: Array<{ service: string; item: string; unit: string; quantity: number }> } }) =>
  Object.fromEntries(r.cost.lines.filter((l) => ['requests', 'messages', 'WRU'].includes(l.unit)).map((l) => [`${l.service} ${l.item}`, l.quantity]));
/**
 * What an aws: target adds to the scenario's own work: before any client starts, one WebSocket
 * proves the URL answers (remote.ts probe): one $connect and one $disconnect, a connection row
 * written and deleted.
 */
export const PROBE = { connects: 1, writeUnits: 2 };

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
