import { GetProvisionedConcurrencyConfigCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { connect, type TestClient } from '../fixtures/gateway/clients.ts';

/**
 * The reference stack's provisioned concurrency (`provisionedConnect`, `provisionedSend`: the
 * template's ConnectProvisioned and SendProvisioned parameters, the CDK app's
 * `-c connectProvisioned`): the $connect function is published, its alias `live` holds the
 * environments and its route invokes the alias, so the handshakes it holds are served warm by
 * provisioned environments; sendMessage, not asked for, stays unqualified. Without the option,
 * nothing is published and every route invokes `$LATEST`, as ever.
 */
let stack: RunningStack | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stack?.close();
  stack = undefined;
});

const CONNECT = 'fanout-connect';
const SEND = 'fanout-send-message';

describe("the reference stack's provisioned concurrency", () => {
  it('publishes $connect\'s function, provisions its alias live and routes $connect to it', async () => {
    const s = (stack = await startStack({ config: defaultStackConfig({ provisionedConnect: 2, lambda: { preparedPerFunction: 0 } }), log: () => {} }));
    const listed = (name: string) => s.ready.functions.find((f) => f.name === name)!;
    expect(listed(CONNECT)).toMatchObject({ route: '$connect', qualifier: 'live', provisioned: [{ qualifier: 'live', version: '1', environments: 2 }] });
    expect(listed(SEND).qualifier).toBeUndefined();
    const lambda = new LambdaClient({ endpoint: s.ready.lambdaEndpoint, region: s.ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      expect(await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: CONNECT, Qualifier: 'live' }))).toMatchObject({ Status: 'READY', AllocatedProvisionedConcurrentExecutions: 2 });
    } finally {
      lambda.destroy();
    }
    clients.push(...(await Promise.all([0, 1].map(() => connect(s.ready.websocketUrl)))));
    // both handshakes on provisioned environments: no cold start on the request path
    expect(s.runtime.stats()[CONNECT]).toMatchObject({ provisioned: 2, provisionedInvocations: 2, coldStarts: 0 });
  });

  it('publishes nothing by default: every route invokes its function unqualified', async () => {
    const s = (stack = await startStack({ config: defaultStackConfig({ lambda: { preparedPerFunction: 0 } }), log: () => {} }));
    for (const name of [CONNECT, SEND]) expect(s.ready.functions.find((f) => f.name === name)).not.toHaveProperty('qualifier');
    expect(s.runtime.versions(CONNECT)).toEqual([]);
  });
});
