import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack, type DescribedStack } from '../../emulator/stack-model/describe-stack.ts';
import type { StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { limitEvidence } from '../../src/diagnosis/limit-evidence.ts';
import { emulatorCloudWatch } from '../../src/aws/cloudwatch-source.ts';
import { pullCloudWatch } from '../../src/metrics/cloudwatch/cloudwatch-puller.ts';
import { REFERENCE_EMF } from '../../src/contracts/reference-functions.ts';
import { handshakeStatus } from '../fixtures/gateway/clients.ts';
import { buildResults } from '../report/fixtures.ts';

// A whole stack whose table is provisioned too small: the reference functions, unchanged, are
// throttled by DynamoDB (their SDK retries, then gives up), the stack's CloudWatch says so as AWS
// would, and the harness's pull and search's evidence name the limit.

let described: DescribedStack;
let stack: RunningStack;
let connections: string;

beforeAll(async () => {
  // No environments INIT'd ahead of need: the connects' own cold starts still leave them writing
  // far faster than 1 WCU takes, and the twenty-odd INITs ahead were most of this file's CPU.
  const config = defaultStackConfig({ lambda: { preparedPerFunction: 0 } });
  described = await describeStack(config, () => {});
  const base = described.stack;
  // $connect writes one row into the connections table: 1 WCU takes one connect a second
  const table = base.tables.find((t) => t.definition.KeySchema?.length === 1 && t.definition.KeySchema[0]!.AttributeName === 'connectionId')!;
  connections = table.definition.TableName;
  const description: StackDescription = {
    ...base,
    tables: base.tables.map((t) =>
      t === table ? { ...t, definition: { ...t.definition, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 1 } } } : t,
    ),
  };
  stack = await startStack({ config, stack: description, log: () => {} });
});

afterAll(async () => {
  await stack?.close();
  await described?.dispose();
});

describe('a stack whose table is provisioned too small', () => {
  it('is throttled: connects fail once the SDK gives up, AWS/DynamoDB and the functions count it, search names dynamodb-throttles', async () => {
    const startMs = Date.now();
    // 20 connects at once against 1 WCU (a second or two of it saved since the table was made)
    const statuses = await Promise.all(Array.from({ length: 20 }, () => handshakeStatus(stack.ready.websocketUrl)));
    const refused = statuses.filter((s) => s !== 101);
    expect(statuses.filter((s) => s === 101).length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    // the $connect function threw: the gateway refuses the handshake with a 5xx, never a 429
    expect(refused.every((s) => s >= 500)).toBe(true);

    const pull = () =>
      pullCloudWatch({
        target: emulatorCloudWatch({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region }),
        run: { startMs, endMs: Date.now() },
        functions: stack.stack.functions.map((f) => f.name),
        tables: stack.stack.tables.map((t) => ({ name: t.definition.TableName, globalIndexes: (t.definition.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName!) })),
        apiGateway: null,
        emf: [REFERENCE_EMF],
        reportLines: false,
        settle: false,
      });
    let cw = await pull();
    for (let i = 0; i < 40 && !((cw.emf.DynamoDbThrottles?.sum ?? 0) > 0 && (cw.dynamodb?.[connections]?.writeThrottleEvents ?? 0) > 0); i++) {
      await new Promise((r) => setTimeout(r, 250));
      cw = await pull();
    }
    const table = cw.dynamodb![connections]!;
    // every attempt of the functions' SDK that was refused (retries included) is a throttled
    // request: a refused connect's every attempt at least; $disconnect's deletes are throttled too
    expect(table.operations.PutItem!.throttled).toBeGreaterThanOrEqual(refused.length);
    const throttled = Object.values(table.operations).reduce((n, o) => n + o.throttled, 0);
    expect(table.writeThrottleEvents).toBe(throttled); // single-item writes: one event each
    expect(cw.emf.DynamoDbThrottles!.sum).toBeGreaterThanOrEqual(1);

    const r = buildResults();
    r.cloudwatch = { ...r.cloudwatch!, dynamodb: cw.dynamodb, emf: cw.emf };
    const line = limitEvidence(r).find((e) => e.factor === 'dynamodb-throttles')?.line;
    expect(line).toMatch(new RegExp(`^DynamoDB throttled [\\d,]+ requests \\(${connections}: [A-Za-z]+ [\\d,]+(, [A-Za-z]+ [\\d,]+)*\\); throttle events: ${connections} [\\d,]+ write; the functions saw [\\d,]+ throttled DynamoDB attempts \\(retries included\\)$`));
    expect(line).toMatch(/: (.*, )?PutItem [\d,]+/); // by operation: the connects' writes among them
  });
});
