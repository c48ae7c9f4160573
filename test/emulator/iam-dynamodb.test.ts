import { DynamoDBClient, PutItemCommand, QueryCommand, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { startDynamoDb, type LocalDynamoDb } from '../../emulator/dynamodb/dynamodb-thread.ts';
import { setUpIam } from '../../emulator/iam/iam-setup.ts';
import { parsePolicyDocument } from '../../common/iam/policy-document.ts';
import type { IamGrants } from '../../emulator/iam/role-sessions.ts';

const ACCOUNT = '123456789012';
const table = (name: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}`;
const keyed = (name: string) => ({
  TableName: name,
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }, { AttributeName: 'room', AttributeType: 'S' as const }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
  GlobalSecondaryIndexes: [{ IndexName: 'byRoom', KeySchema: [{ AttributeName: 'room', KeyType: 'HASH' as const }], Projection: { ProjectionType: 'ALL' as const } }],
  BillingMode: 'PAY_PER_REQUEST' as const,
});
const statements = (doc: unknown) =>
  parsePolicyDocument(doc, 'inline policy SendRolePolicy0', (path, message) => {
    throw new UserError(`${path.join('.')}: ${message}`);
  });
const role = (name: string, doc: unknown) => ({ name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, statements: statements(doc), notes: [] });

describe('DynamoDB under IAM enforcement, through the real SDK with a function’s session', () => {
  const lines: string[] = [];
  let db: LocalDynamoDb;
  let grants: IamGrants;
  const client = (fn: string) => {
    const token = grants.sessions.find((s) => s.function === fn)!.token;
    // what the SDK reads from a function's environment: the dummy keys and its own AWS_SESSION_TOKEN
    return new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: token }, maxAttempts: 1 });
  };

  beforeAll(async () => {
    grants = setUpIam(
      [
        // DynamoDBCrudPolicy on another table, as SAM expands it
        { name: 'chat-send', logicalId: 'SendFn', role: role('chat-SendFnRole', { Statement: { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:Query'], Resource: [table('other'), `${table('other')}/index/*`] } }) },
        { name: 'chat-join', logicalId: 'JoinFn', role: role('chat-JoinFnRole', { Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }, { Effect: 'Deny', Action: 'dynamodb:BatchWriteItem', Resource: table('messages') }] }) },
      ],
      'enforce',
      (line) => lines.push(line),
    )!;
    db = await startDynamoDb({ tables: [keyed('members'), keyed('messages'), keyed('other')], iam: { mode: 'enforce', grants, region: 'us-east-1', accountId: ACCOUNT }, log: (l) => lines.push(l) });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('denies a call no policy allows with AccessDeniedException in AWS’s words, allows a granted one, and counts both', async () => {
    const send = client('chat-send');
    const err = await send.send(new PutItemCommand({ TableName: 'members', Item: { pk: { S: 'a' }, room: { S: 'r1' } } })).catch((e: unknown) => e);
    // DynamoDB models no AccessDeniedException class: the SDK raises a service exception of that name
    expect(err).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect((err as Error).message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/chat-SendFnRole/chat-send is not authorized to perform: dynamodb:PutItem on resource: ${table('members')} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    await send.send(new PutItemCommand({ TableName: 'other', Item: { pk: { S: 'a' }, room: { S: 'r1' } } }));
    const q = await send.send(new QueryCommand({ TableName: 'other', IndexName: 'byRoom', KeyConditionExpression: 'room = :r', ExpressionAttributeValues: { ':r': { S: 'r1' } } }));
    expect(q.Count).toBe(1);
    send.destroy();

    // an explicit Deny beside Allow *: a batch is checked on every table it names
    const join = client('chat-join');
    const batch = (tables: string[]) => new BatchWriteItemCommand({ RequestItems: Object.fromEntries(tables.map((t) => [t, [{ PutRequest: { Item: { pk: { S: 'b' }, room: { S: 'r' } } } }]])) });
    await join.send(batch(['members']));
    const denied = await join.send(batch(['members', 'messages'])).catch((e: unknown) => e);
    expect((denied as Error).message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/chat-JoinFnRole/chat-join is not authorized to perform: dynamodb:BatchWriteItem on resource: ${table('messages')} with an explicit deny in an identity-based policy`,
    );
    join.destroy();

    // after a round trip to the DynamoDB thread: its denial lines travel on the same port, ahead of
    // the answer, while the HTTP answers that the calls got may arrive before them
    const ledger = await db.iamAccess();
    expect(lines.filter((l) => l.startsWith('iam: denied'))).toHaveLength(2);
    expect(ledger).toEqual(
      expect.arrayContaining([
        { function: 'chat-send', role: 'chat-SendFnRole', action: 'dynamodb:PutItem', resource: table('members'), decision: 'no-allow', count: 1 },
        { function: 'chat-send', role: 'chat-SendFnRole', action: 'dynamodb:Query', resource: `${table('other')}/index/byRoom`, decision: 'allowed', count: 1 },
        { function: 'chat-join', role: 'chat-JoinFnRole', action: 'dynamodb:BatchWriteItem', resource: table('members'), decision: 'allowed', count: 2 },
        { function: 'chat-join', role: 'chat-JoinFnRole', action: 'dynamodb:BatchWriteItem', resource: table('messages'), decision: 'explicit-deny', count: 1 },
      ]),
    );
  });

  it('a caller with no function’s session (the harness) is not checked', async () => {
    const harness = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    await harness.send(new PutItemCommand({ TableName: 'members', Item: { pk: { S: 'h' }, room: { S: 'r' } } }));
    harness.destroy();
  });

  it('refuses under enforce a Role the template does not hold, and says it under report', () => {
    const external = [{ name: 'fn', logicalId: 'Fn', role: { name: 'shared', arn: `arn:aws:iam::${ACCOUNT}:role/shared`, statements: [], notes: [], external: true } }];
    expect(() => setUpIam(external, 'enforce', () => {})).toThrow(
      `iam: resource Fn property Role: arn:aws:iam::${ACCOUNT}:role/shared is no AWS::IAM::Role of the template, so its policies cannot be evaluated`,
    );
    const said: string[] = [];
    expect(setUpIam(external, 'report', (l) => said.push(l))).toEqual({ sessions: [], roles: [] });
    expect(said).toEqual([`iam: resource Fn property Role: arn:aws:iam::${ACCOUNT}:role/shared is no role of the template: fn's calls are not checked`]);
  });
});
