import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_TABLES } from '../../src/contracts/reference-tables.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { pullCloudWatch } from '../../src/metrics/cloudwatch/cloudwatch-puller.ts';
import { CloudWatchResults } from '../../src/contracts/cloudwatch-schema.ts';
import { connect, type TestClient } from '../fixtures/gateway/clients.ts';
import { emulatorCloudWatch } from '../../src/aws/cloudwatch-source.ts';
import { localStackFunctions } from '../../src/targets/target-functions.ts';
import { emfSources } from '../../src/metrics/cost/run-functions.ts';
import { REFERENCE_EMF } from '../../src/contracts/reference-functions.ts';

// The puller against the emulator's CloudWatch endpoint: the same SDK calls it makes on AWS,
// after a short real chat session (real ws clients, the reference functions, dynalite).

let stack: RunningStack;
let stackStartedAt: number;

beforeAll(async () => {
  stackStartedAt = Date.now();
  // No environments prepared ahead (20 by default, about 5 CPU-s): the session's own cold starts are the ones pulled.
  stack = await startStack({ config: defaultStackConfig({ lambda: { preparedPerFunction: 0 } }), log: () => {} });
});

afterAll(async () => {
  await stack?.close();
});

const CLIENTS = 3;
const MESSAGES = 6;

async function chatSession(url: string): Promise<void> {
  const clients: TestClient[] = [];
  try {
    for (let i = 0; i < CLIENTS; i++) clients.push(await connect(url));
    clients[0].send({ action: 'createRoom', room: 'cw' });
    await clients[0].take((f) => f.type === 'roomCreated');
    for (const c of clients) {
      c.send({ action: 'joinRoom', room: 'cw' });
      await c.take((f) => f.type === 'joined');
    }
    for (let m = 0; m < MESSAGES; m++) {
      const sender = clients[m % CLIENTS];
      sender.send({ action: 'sendMessage', room: 'cw', payload: { m } });
      await sender.take((f) => f.type === 'sent');
    }
    // every member gets every message
    for (const c of clients) for (let m = 0; m < MESSAGES; m++) await c.take((f) => f.type === 'message');
  } finally {
    for (const c of clients) c.ws.close(1000);
    await Promise.all(clients.map((c) => c.closed));
  }
}

describe('pullCloudWatch against the local emulator', () => {
  it('returns the invocations, API Gateway counts, EMF metrics and REPORT cold starts of a session', async () => {
    const startMs = Date.now();
    await chatSession(stack.ready.websocketUrl);
    const endMs = Date.now();
    // where the stack's functions publish their EMF metrics: their environment, as Lambda's API answers it
    const emf = emfSources((await localStackFunctions(stack.ready)).functions);
    expect(emf).toEqual([REFERENCE_EMF]);
    const pull = () =>
      pullCloudWatch({
        target: emulatorCloudWatch({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region }),
        run: { startMs, endMs },
        functions: FUNCTIONS.map((f) => f.name),
        tables: REFERENCE_TABLES,
        apiGateway: { apiId: stack.ready.apiId, stage: stack.ready.stage },
        emf,
      });

    // $disconnect and the last REPORT lines land just after the session: poll, bounded.
    let cw = await pull();
    const settled = () =>
      (cw.lambda['fanout-disconnect']?.invocations ?? 0) >= CLIENTS &&
      (cw.dynamodb?.['fanout-room-members']?.operations.BatchWriteItem?.requests ?? 0) >= CLIENTS;
    for (let i = 0; i < 40 && !settled(); i++) {
      await new Promise((r) => setTimeout(r, 250));
      cw = await pull();
    }

    expect(CloudWatchResults.parse(cw)).toEqual(cw);
    expect(cw.problems).toEqual([]);
    expect(cw.status).toBe('complete');
    expect(cw.window.periodSec).toBe(1);

    const send = cw.lambda['fanout-send-message'];
    expect(send.invocations).toBeGreaterThanOrEqual(MESSAGES);
    expect(send.durationAvgMs).toBeGreaterThan(0);
    expect(send.durationP99Ms).toBeGreaterThanOrEqual(send.durationP50Ms ?? 0);
    expect(cw.lambda['fanout-connect'].invocations).toBeGreaterThanOrEqual(CLIENTS);
    expect(cw.lambda['fanout-join-room'].invocations).toBeGreaterThanOrEqual(CLIENTS);
    expect(cw.lambda['fanout-disconnect'].invocations).toBeGreaterThanOrEqual(CLIENTS);
    const series = cw.series.find((s) => s.metric === 'Invocations' && s.dimensions.FunctionName === 'fanout-send-message');
    expect(series?.values.reduce((a, b) => a + b, 0)).toBe(send.invocations);
    expect(series!.timestamps.every((t) => t >= cw.window.startMs && t < cw.window.endMs)).toBe(true);

    expect(cw.apiGatewayTotals?.connectCount).toBeGreaterThanOrEqual(CLIENTS);
    expect(cw.apiGatewayTotals?.messageCount).toBeGreaterThanOrEqual(MESSAGES);

    expect(cw.emf.FanoutDeliveries?.sum).toBe(MESSAGES * CLIENTS);
    expect(cw.emf.ColdStart?.sum).toBeGreaterThanOrEqual(1);

    const report = cw.reports['fanout-send-message'];
    expect(report.invocations).toBe(send.invocations);
    expect(report.coldStarts).toBeGreaterThanOrEqual(1);
    expect(report.initDuration?.count).toBe(report.coldStarts);
    expect(report.memorySizeMB).toBe(FUNCTIONS.find((f) => f.name === 'fanout-send-message')!.memoryMB);
    expect(report.billedDurationMsTotal).toBeGreaterThan(0);
    expect(report.coldStartsOverTime.values.reduce((a, b) => a + b, 0)).toBe(report.coldStarts);

    // AWS/DynamoDB: this session's calls, counted from the reference functions' code
    const members = cw.dynamodb!['fanout-room-members'];
    // Query: one COUNT per join (counting 1, 2, 3 members), one member listing per message, one
    // byConnection lookup per $disconnect (finding its one room)
    expect(members.operations.Query).toEqual({ requests: CLIENTS + MESSAGES + CLIENTS, throttled: 0, returnedItems: 1 + 2 + 3 + MESSAGES * CLIENTS + CLIENTS });
    // byConnection: each join puts an entry, each $disconnect deletes one (1 unit each) after
    // reading it back (one small keys-only entry, eventually consistent: ½ unit)
    // (on-demand tables: no throttle events)
    expect(members.indexes.byConnection).toEqual({ readUnits: CLIENTS * 0.5, writeUnits: 2 * CLIENTS, readThrottleEvents: 0, writeThrottleEvents: 0 });
    expect(members.operations.BatchWriteItem?.requests).toBe(CLIENTS);
    const messages = cw.dynamodb!['fanout-messages'];
    expect(messages.operations.PutItem?.requests).toBe(1 + MESSAGES); // createRoom + history
    expect(messages.writeUnits).toBe(1 + MESSAGES); // small items: one unit each
    expect(cw.dynamodb!['fanout-connections'].operations.PutItem?.requests).toBe(CLIENTS);
  });

  it('adds the local host: how busy it was, the stack\'s CPU, and the invocations it held back as the runtime counted them', async () => {
    await new Promise((r) => setTimeout(r, 1_100)); // at least one of the host meter's 1-second samples
    const cw = await pullCloudWatch({
      target: emulatorCloudWatch({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region }),
      run: { startMs: stackStartedAt, endMs: Date.now() },
      functions: FUNCTIONS.map((f) => f.name),
      settle: false,
      reportLines: false,
    });
    expect(cw.problems).toEqual([]);
    const host = cw.localHost!;
    expect(host.stackCpuMs).toBeGreaterThan(0);
    expect(host.hostBusyAvgPercent).toBeGreaterThanOrEqual(0);
    expect(host.hostBusyPeakPercent).toBeGreaterThanOrEqual(host.hostBusyAvgPercent!);
    expect(host.hostBusyPeakPercent).toBeLessThanOrEqual(100);
    const stats = stack.runtime.stats();
    for (const f of FUNCTIONS) expect(host.heldBack[f.name]?.count ?? 0).toBe(stats[f.name].hostCapWaits);
    for (const held of Object.values(host.heldBack)) expect(held.maxMs).toBeGreaterThanOrEqual(held.p50Ms!);
    expect(cw.series.some((s) => s.namespace === 'FanoutBench/LocalHost' && s.metric === 'HostBusyPercent')).toBe(true);
  });
});
