import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { connect, type TestClient } from '../fixtures/gateway/clients.ts';

// The reference stack under enforcement: its functions run with the roles its CDK app deploys
// (reference-stack/functions/route-access.ts), least privilege, and a room's message still
// reaches every member; the ledger shows what each function used.

describe('the reference stack under iam: enforce', () => {
  const lines: string[] = [];
  const clients: TestClient[] = [];
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack({ config: defaultStackConfig({ iam: 'enforce', lambda: { preparedPerFunction: 0 } }), log: (l) => lines.push(l) });
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await stack?.close();
  });

  it('creates, joins and sends with nothing denied, each post counted under the grant its role has', async () => {
    for (let i = 0; i < 2; i++) clients.push(await connect(stack.ready.websocketUrl));
    const [a, b] = clients as [TestClient, TestClient];
    a.send({ action: 'createRoom', room: 'r1' });
    await a.take((f) => f.type === 'roomCreated');
    for (const c of clients) {
      c.send({ action: 'joinRoom', room: 'r1' });
      await c.take((f) => f.type === 'joined');
    }
    a.send({ action: 'sendMessage', room: 'r1', payload: { n: 1 } });
    expect(await a.take((f) => f.type === 'sent')).toMatchObject({ recipients: 2, gone: 0 });
    for (const c of [a, b]) expect(await c.take((f) => f.type === 'message')).toMatchObject({ room: 'r1', payload: { n: 1 } });

    expect(lines.filter((l) => l.startsWith('iam:'))).toEqual([]);
    const ledger = await stack.iamAccess();
    expect(ledger.filter((r) => r.decision !== 'allowed')).toEqual([]);
    const send = stack.stack.functions.find((f) => f.logicalId === 'fanout-send-message')!.name;
    expect(ledger).toContainEqual(
      expect.objectContaining({ function: send, action: 'execute-api:ManageConnections', resource: `arn:aws:execute-api:us-east-1:000000000000:${stack.ready.apiId}/${stack.ready.stage}/POST/@connections/*`, count: 2 }),
    );
  });
});
