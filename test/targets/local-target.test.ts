import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_RUNTIMES, nodeMajorOf, type NodeRuntime } from '../../common/node-runtimes.ts';
import { TABLE_DEFAULT_NAMES } from '../../reference-stack/functions/shared/tables.ts';
import { runOptionsFromFlags } from '../../src/commands/run.ts';
import { parseTargetSpec } from '../../src/contracts/target-spec.ts';
import { resolveTarget } from '../../src/targets/resolve-target.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';
import { findNode } from '../../src/local-stack/node-binaries.ts';
import type { Target } from '../../src/targets/target.ts';
import { connect } from '../fixtures/gateway/clients.ts';

// A local target built from a scenario's knobs (and `run --memory`) starts the stack program with
// exactly those settings: read back through the ready line, the real Lambda SDK client against the
// emulator's Lambda API, and the lost-$disconnect fault's effect on the real tables.

/** Not the default runtime when another one's Node is at hand: the choice of Node shows then. */
const runtime: NodeRuntime = NODE_RUNTIMES.find((r) => r !== 'nodejs22.x' && findNode(nodeMajorOf(r))) ?? 'nodejs22.x';
const node = findNode(nodeMajorOf(runtime));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const dir = mkdtempSync(join(tmpdir(), 'fanout-local-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scenarioFile = join(dir, 'knobs.yaml');
writeFileSync(
  scenarioFile,
  `name: knobs
clients: 2
rooms: 1
target:
  runtime: ${runtime}
  lostDisconnectShare: 1
  idleReapSeconds: 120
  memory: { fanout-send-message: 512, fanout-whoami: 384 }
phases:
  - connect: { rate: 10 }
`,
);

let target: Target;
let lambda: LambdaClient;

beforeAll(async () => {
  const scenario = loadScenario(scenarioFile);
  // `run --memory` sets one more function's memory, over the scenario's knobs
  const options = await runOptionsFromFlags(scenarioFile, { target: 'local', out: dir, progress: false, memory: ['fanout-join-room=640', 'fanout-whoami=448'] });
  target = await resolveTarget({ spec: parseTargetSpec('local'), knobs: scenario.target, stackKnobs: options.stackKnobs, logFile: join(dir, 'stack.log') });
  lambda = new LambdaClient({ endpoint: target.endpoints.lambda, region: target.endpoints.region, credentials });
});

afterAll(async () => {
  lambda?.destroy();
  await target?.stop();
});

describe('the local target starts the stack with the knobs it was given', () => {
  it('memory and runtime: in the ready line and as Lambda describes the functions', async () => {
    const config = async (fn: string) => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    expect(await config('fanout-send-message')).toMatchObject({ MemorySize: 512, Runtime: runtime });
    expect(await config('fanout-join-room')).toMatchObject({ MemorySize: 640, Runtime: runtime }); // the flag's
    expect(await config('fanout-whoami')).toMatchObject({ MemorySize: 448 }); // the flag wins over the scenario
    expect(await config('fanout-connect')).toMatchObject({ MemorySize: 256 }); // the manifest's
    const functions = target.local!.functions as Array<{ name: string; memoryMB: number; runtime: string }>;
    expect(functions.find((f) => f.name === 'fanout-send-message')).toMatchObject({ memoryMB: 512, runtime });
    // run on the runtime's Node, chosen by the launcher
    expect(target.local!.lambdaRuntime).toMatchObject(node ? { runtime, node: node.version, matches: true } : { runtime, matches: false });
    // results.json records them as the `stack up` command line that starts the same stack
    expect(target.stackArgs).toEqual([
      '--lost-disconnect-share', '1',
      '--idle-reap-seconds', '120',
      '--memory', 'fanout-send-message=512',
      '--memory', 'fanout-whoami=448',
      '--memory', 'fanout-join-room=640',
      '--runtime', runtime,
    ]);
    expect(readFileSync(join(dir, 'stack.log'), 'utf8')).not.toContain('"ready":true'); // the ready line is read, not logged
  });

  it('lostDisconnectShare 1: a closed connection\'s $disconnect never runs; its row stays until a fan-out finds it gone', async () => {
    const ddb = new DynamoDBClient({ endpoint: target.endpoints.dynamodb, region: target.endpoints.region, credentials });
    const logs = new CloudWatchLogsClient({ endpoint: target.endpoints.logs, region: target.endpoints.region, credentials });
    const row = async (id: string) =>
      (await ddb.send(new GetItemCommand({ TableName: TABLE_DEFAULT_NAMES.connections, Key: { connectionId: { S: id } }, ConsistentRead: true }))).Item;
    try {
      const stale = await connect(target.url);
      const live = await connect(target.url);
      stale.send({ action: 'whoami' });
      const staleId = (await stale.take((f) => f.type === 'whoami', 30_000)).connectionId as string;
      live.send({ action: 'createRoom', room: 'knobs' });
      await live.take((f) => f.type === 'roomCreated', 30_000);
      for (const c of [stale, live]) {
        c.send({ action: 'joinRoom', room: 'knobs' });
        await c.take((f) => f.type === 'joined', 30_000);
      }
      stale.close(1000, 'leaving');
      await stale.closed;
      // A delivered $disconnect (its environments are prepared) would have run and removed the
      // row well within this; a lost one never runs.
      await new Promise((r) => setTimeout(r, 3_000));
      // A function that never ran may have no log group yet (its prepared INIT is logged with its first invocation, as on Lambda).
      const reports = (fn: string) =>
        logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}`, filterPattern: 'REPORT' })).catch((err: unknown) => {
          if ((err as Error).name === 'ResourceNotFoundException') return { events: [] };
          throw err;
        });
      expect((await reports('fanout-disconnect')).events).toEqual([]);
      expect((await reports('fanout-join-room')).events?.length).toBeGreaterThan(0); // REPORT lines do arrive
      expect(await row(staleId)).toBeDefined();
      live.send({ action: 'sendMessage', room: 'knobs', payload: 1 });
      expect(await live.take((f) => f.type === 'sent', 30_000)).toMatchObject({ recipients: 2, gone: 1 });
      expect(await row(staleId)).toBeUndefined();
      live.close();
    } finally {
      ddb.destroy();
      logs.destroy();
    }
  });
});
