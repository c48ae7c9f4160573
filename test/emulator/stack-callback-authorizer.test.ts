import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { connect, handshakeStatus, type TestClient } from '../fixtures/gateway/clients.ts';

/**
 * test/fixtures/stacks/callback-authorizer: a $connect REQUEST authorizer written in the callback
 * era (context.fail / context.succeed / callback, CommonJS) run from its template through the
 * gateway with real ws sockets. AWS's Node runtime interface client gives every handler those
 * context methods (src/CallbackContext.js); API Gateway answers the error message "Unauthorized"
 * with 401. The context's behaviours one by one are lambda-context-conformance.test.ts's.
 */
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/callback-authorizer/template.yaml', import.meta.url));
let stack: RunningStack;
const clients: TestClient[] = [];

beforeAll(async () => {
  const config = defaultStackConfig({ template: { path: TEMPLATE, parameters: {} }, lambda: { preparedPerFunction: 0 } });
  const described = await describeStack(config);
  stack = await startStack({ config, stack: described.stack, log: () => {} });
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await stack?.close();
});

describe('a callback-era authorizer (context.fail / context.succeed)', () => {
  it('refuses the handshake with 401 for callback(\'Unauthorized\') and context.fail(\'Unauthorized\'), and lets the right token in', async () => {
    const url = stack.ready.websocketUrl;
    expect(await handshakeStatus(url)).toBe(401); // no token: callback('Unauthorized')
    expect(await handshakeStatus(`${url}?token=wrong`)).toBe(401); // context.fail('Unauthorized')
    const client = await connect(`${url}?token=letmein`); // context.succeed(policy), then $connect's context.done
    clients.push(client);
    client.send('hello');
    // $default's callback answers through the route response, with the principal the policy named
    expect(await client.next()).toBe('echo token-holder: hello');
  });
});
