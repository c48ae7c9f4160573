import { fileURLToPath } from 'node:url';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { installedAwsSdkV2 } from '../../common/aws-sdk-v2.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack, type DescribedStack } from '../../emulator/stack-model/describe-stack.ts';
import { connect, handshakeStatus, type TestClient } from '../fixtures/gateway/clients.ts';

// Stacks as they are: deprecated runtimes run (one line each says so), and what a runtime ships
// comes with it. The sdk-v2-chat fixture's code uses the AWS SDK v2 (`require('aws-sdk')`:
// DocumentClient put/query, ApiGatewayManagementApi with an execute-api endpoint built from the
// event): on nodejs16.x it runs, against dynalite and @connections with the code unchanged; the
// same code on nodejs22.x fails its INIT with Runtime.ImportModuleError, as on Lambda, which the
// function's log group says (read through the real CloudWatch Logs client) and $connect answers
// 502. python3.8 runs on the host's Python. SDK v2 comes from `stack install-node nodejs16.x`
// (.ci/run fetches it first).

const CHAT = fileURLToPath(new URL('../fixtures/stacks/sdk-v2-chat/template.yaml', import.meta.url));
const PYTHON38 = fileURLToPath(new URL('../fixtures/stacks/python38-connect/template.yaml', import.meta.url));
const started: { stack: RunningStack; described: DescribedStack }[] = [];
const clients: TestClient[] = [];

async function start(path: string, parameters: Record<string, string> = {}): Promise<{ stack: RunningStack; lines: string[] }> {
  const lines: string[] = [];
  const config = defaultStackConfig({ template: { path, parameters }, lambda: { preparedPerFunction: 0 } });
  const described = await describeStack(config);
  const stack = await startStack({ config, stack: described.stack, log: (line) => lines.push(line) });
  started.push({ stack, described });
  return { stack, lines };
}

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of started) {
    await s.stack.close();
    await s.described.dispose();
  }
});

describe('deprecated runtimes and the SDK they ship', () => {
  it('runs a nodejs16.x stack written for the AWS SDK v2, saying once that Lambda deprecated the runtime', async () => {
    expect(installedAwsSdkV2(), 'SDK v2 missing: npx fanout-bench stack install-node nodejs16.x').toBeDefined();
    const { stack, lines } = await start(CHAT);
    // "from" a block date still ahead, "since" one passed: the line is said on the day it runs
    const blocks = '(from|since) 2027-02-01 and updates (from|since) 2027-03-03, (when|so) a fresh deploy of this template fails';
    expect(lines.filter((l) => l.includes('deprecated by Lambda'))).toEqual([
      expect.stringMatching(
        new RegExp(`^stack: nodejs16\\.x: deprecated by Lambda on 2024-06-12 \\(docs/aws-facts\\.md\\); Lambda still invokes existing functions but refuses new ones ${blocks}; here it runs on Node ${process.versions.node.replaceAll('.', '\\.')} in a worker thread, the oldest Node the emulator's worker code runs on, with the AWS SDK for JavaScript v2 it shipped$`),
      ),
    ]);
    // the ready line lists it with its functions, what ran it and the same line (results.json: environment.lambdaRuntimes)
    expect(stack.ready.lambdaRuntime.runtimes).toEqual([
      {
        runtime: 'nodejs16.x',
        functions: stack.stack.functions.map((f) => f.name),
        ranOn: `Node ${process.versions.node}, not Node 16 as on Lambda: the emulator's worker code runs on Node 20 and later`,
        matches: false,
        deprecated: '2024-06-12',
        deprecation: expect.stringMatching(new RegExp(`^deprecated by Lambda on 2024-06-12 \\(docs/aws-facts\\.md\\); Lambda still invokes existing functions but refuses new ones ${blocks}$`)),
      },
    ]);
    const [a, b] = [await connect(stack.ready.websocketUrl), await connect(stack.ready.websocketUrl)];
    clients.push(a, b);
    a.send('hello from v2');
    expect([await a.next(), await b.next()]).toEqual(['hello from v2', 'hello from v2']);
  }, 60_000);

  it('fails the same code on nodejs22.x at INIT with Runtime.ImportModuleError, in the log group, and $connect answers 502', async () => {
    const { stack, lines } = await start(CHAT, { NodeRuntime: 'nodejs22.x' });
    expect(lines.filter((l) => l.includes('deprecated by Lambda'))).toEqual([]);
    expect(await handshakeStatus(stack.ready.websocketUrl)).toBe(502);
    const logs = new CloudWatchLogsClient({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const name = stack.stack.functions.find((f) => f.logicalId === 'ConnectFunction')!.name;
    const { events = [] } = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, filterPattern: '"Uncaught Exception"' }));
    logs.destroy();
    expect(events.length).toBeGreaterThan(0);
    const [, json] = events[0]!.message!.split('\tUncaught Exception \t');
    expect(JSON.parse(json!)).toMatchObject({ errorType: 'Runtime.ImportModuleError', errorMessage: expect.stringMatching(/^Error: Cannot find module 'aws-sdk'/) });
  }, 60_000);

  it('runs python3.8 on the host\'s Python, with its deprecation line', async () => {
    const { stack, lines } = await start(PYTHON38);
    expect(lines).toContainEqual(
      expect.stringMatching(/^stack: python3\.8: deprecated by Lambda on 2024-10-14 \(docs\/aws-facts\.md\); Lambda still invokes existing functions but refuses new ones (from|since) 2027-02-01 and updates (from|since) 2027-03-03, (when|so) a fresh deploy of this template fails; here it runs on the host's Python with boto3, as its runtime bundles it$/),
    );
    expect(lines.some((l) => /python3\.8 runs on the host's Python 3\.\d+/.test(l))).toBe(true);
    expect(stack.ready.lambdaRuntime.runtimes).toEqual([
      { runtime: 'python3.8', functions: [stack.stack.functions[0]!.name], ranOn: expect.stringMatching(/^the host's Python 3\.\d+\.\d+ \(\/\S+\)$/), matches: expect.any(Boolean), deprecated: '2024-10-14', deprecation: expect.stringMatching(/^deprecated by Lambda on 2024-10-14 /) },
    ]);
    const c = await connect(stack.ready.websocketUrl);
    clients.push(c);
    expect(stack.runtime.stats()[stack.stack.functions[0]!.name]!.invocations).toBe(1);
  }, 60_000);
});
