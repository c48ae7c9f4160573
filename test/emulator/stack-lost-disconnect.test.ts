import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DEFAULT_NAMES } from '../../reference-stack/functions/shared/tables.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { connect } from '../fixtures/gateway/clients.ts';

// faults.lostDisconnectShare = 1: every $disconnect is lost, the connection row stays behind,
// and the next fan-out to it meets a 410 and cleans it up (the real handlers do this).

let stack: RunningStack;
let ddb: DynamoDBClient;

beforeAll(async () => {
  // No environments prepared ahead (20 by default, about 5 CPU-s): the five functions it calls start on demand.
  stack = await startStack({ config: defaultStackConfig({ faults: { lostDisconnectShare: 1 }, lambda: { preparedPerFunction: 0 } }), log: () => {} });
  ddb = new DynamoDBClient({
    endpoint: stack.ready.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  ddb?.destroy();
  await stack?.close();
});

async function connectionRow(id: string) {
  const out = await ddb.send(
    new GetItemCommand({ TableName: TABLE_DEFAULT_NAMES.connections, Key: { connectionId: { S: id } }, ConsistentRead: true }),
  );
  return out.Item;
}

describe('lost $disconnect', () => {
  it('leaves a stale row that the next sendMessage finds gone and removes', async () => {
    const stale = await connect(stack.ready.websocketUrl);
    const live = await connect(stack.ready.websocketUrl);
    stale.send({ action: 'whoami' });
    const staleId = (await stale.take((f) => f.type === 'whoami', 30_000)).connectionId as string;

    live.send({ action: 'createRoom', room: 'stale-room' });
    await live.take((f) => f.type === 'roomCreated', 30_000);
    for (const c of [stale, live]) {
      c.send({ action: 'joinRoom', room: 'stale-room' });
      await c.take((f) => f.type === 'joined', 30_000);
    }

    stale.close(1000, 'leaving');
    await stale.closed;
    // the gateway knows it is gone, the table does not
    for (let i = 0; i < 100 && stack.gateway.stats().lostDisconnects < 1; i++) await new Promise((r) => setTimeout(r, 50));
    expect(stack.gateway.stats().lostDisconnects).toBe(1);
    expect(stack.gateway.stats().deliveredDisconnects).toBe(0);
    expect(await connectionRow(staleId)).toBeDefined();

    live.send({ action: 'sendMessage', room: 'stale-room', payload: { n: 1 } });
    const sent = await live.take((f) => f.type === 'sent', 30_000);
    expect(sent).toMatchObject({ recipients: 2, gone: 1 });
    expect(await connectionRow(staleId)).toBeUndefined();

    live.send({ action: 'sendMessage', room: 'stale-room', payload: { n: 2 } });
    expect(await live.take((f) => f.type === 'sent', 30_000)).toMatchObject({ recipients: 1, gone: 0 });
    live.close();
  });
});
