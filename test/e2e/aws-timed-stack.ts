import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackReady } from '../../common/stack-ready.ts';
import { runCli, type CliResult } from './cli.ts';
import { stackUp, stopStacks } from './stack-up.ts';

/**
 * `stack up` for the tests that reach the emulator as a deployed stack, through its AWS APIs, and
 * the CLI's environment as a user's shell has it after pasting the export block: the real SDK
 * clients pointed at the emulator, no other AWS settings. No mock. With `awsMetricsLag` the stack
 * publishes CloudWatch as AWS does (whole minutes, each that long after it ends, DynamoDB and EMF
 * twice it): those tests mostly wait for minutes to be published, so their files run at once in
 * CI's waiting lane. One stack per command under test, so that no run's minutes hold another's
 * traffic.
 */
/**
 * small and short: 4 clients in one room, 2 s of sends; the stage's access log off (these stages
 * have none to `use`; access-log-cli.test.ts runs `enable` and `use`)
 */
export const SCENARIO = ['fanout', '--clients', '4', '--rooms', '1', '--duration', '2s', '--rate', '4', '--seed', '7', '--no-progress', '--access-log', 'off'];

export interface StackForAwsOptions {
  /** publish CloudWatch with AWS's timing, this lag after each minute (`--aws-metrics-lag`); default: at once */
  awsMetricsLag?: string;
  /** your own stack (`--template`); default the reference stack */
  template?: string;
  /** the export block's one edge variable (AWS_ENDPOINT_URL), or its per-service ones (default) */
  endpoint?: 'edge' | 'per-service';
  /** template parameters (`--parameter Key=Value`) */
  parameters?: string[];
}

export interface AwsTimedStack {
  env: NodeJS.ProcessEnv;
  ready: StackReady;
}

/** A stack whose CLI environment keeps its config and credentials files in `dir` (none there). */
export async function stackForAws(dir: string, opts: StackForAwsOptions = {}): Promise<AwsTimedStack> {
  const ready = await stackUp([
    '--prepared',
    '0',
    ...(opts.template ? ['--template', opts.template] : []),
    ...(opts.awsMetricsLag ? ['--aws-metrics', '--aws-metrics-lag', opts.awsMetricsLag] : []),
    ...(opts.parameters ?? []).flatMap((p) => ['--parameter', p]),
  ]);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, opts.endpoint === 'edge' ? { AWS_ENDPOINT_URL: ready.edgeEndpoint } : ready.awsEndpointUrls, {
    AWS_REGION: ready.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  return { env, ready };
}

/** The reference stack publishing as AWS does, 5 s after each minute, per-service endpoints. */
export const awsTimedStack = (dir: string): Promise<AwsTimedStack> => stackForAws(dir, { awsMetricsLag: '5s' });

/** Ends every stack this file started (they end with the test process anyway: --exit-with-stdin). */
export const stopAwsTimedStacks = stopStacks;

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
