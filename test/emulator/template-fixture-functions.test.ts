import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFunction, type StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';

// The fixture stacks' functions do what their templates say, run from what the reader
// describes: each table created from its description in dynalite, each handler loaded from its
// code directory (inline ZipFile code included) in a Node process of its own, with the function's
// environment, the AWS SDK from the installed packages through NODE_PATH, as the Lambda runtime
// provides its bundled SDK. (Posting through an explicit execute-api endpoint needs the
// emulator's Lambda runtime and is tested there; the provisioned stack's send posts to its
// CALLBACK_URL, a local @connections endpoint here.)

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/stacks');
const work = mkdtempSync(join(tmpdir(), 'template-fixture-functions-'));
const RUNNER = join(work, 'invoke.mjs');

// dynalite has no types; its server is an http.Server
const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, unknown>) => Server;
let db: Server;
let dynamoUrl: string;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  // Loads Handler `path/file.export` from the code directory and calls it async or with a callback.
  writeFileSync(
    RUNNER,
    `import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [dir, handler, event] = process.argv.slice(2);
const m = /^(?:(.*)\\/)?([^./][^/.]*)\\.([^/]+)$/.exec(handler);
const file = ['.js', '.mjs', '.cjs'].map((ext) => join(dir, m[1] ?? '', m[2]) + ext).find((f) => existsSync(f));
const mod = await import(pathToFileURL(file).href);
const fn = mod[m[3]] ?? mod.default?.[m[3]];
const result = await new Promise((ok, ko) => {
  const r = fn(JSON.parse(event), { functionName: 'test' }, (err, value) => (err ? ko(err) : ok(value)));
  if (r && typeof r.then === 'function') r.then(ok, ko);
});
process.stdout.write(JSON.stringify(result ?? null));
`,
  );
  db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  db.listen(0, '127.0.0.1');
  await once(db, 'listening');
  dynamoUrl = `http://127.0.0.1:${(db.address() as AddressInfo).port}`;
  client = new DynamoDBClient({ endpoint: dynamoUrl, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  doc = DynamoDBDocumentClient.from(client);
});

afterAll(async () => {
  client?.destroy();
  await new Promise((done) => db?.close(done));
  rmSync(work, { recursive: true, force: true });
});

async function createTables(d: StackDescription): Promise<void> {
  for (const t of d.tables) await client.send(new CreateTableCommand(t.definition));
}

async function invoke(d: StackDescription, id: string, event: unknown, extraEnv: Record<string, string> = {}): Promise<{ statusCode?: number; body?: string }> {
  const f = findFunction(d, id)!;
  const code = f.code as { dir: string; handler: string };
  const { stdout } = await promisify(execFile)(process.execPath, [RUNNER, code.dir, code.handler, JSON.stringify(event)], {
    timeout: 30_000,
    env: {
      PATH: process.env.PATH,
      NODE_PATH: join(ROOT, 'node_modules'),
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...f.environment,
      ...extraEnv,
    },
  });
  return JSON.parse(stdout);
}

function event(connectionId: string, routeKey: string, more: Record<string, unknown> = {}) {
  return {
    requestContext: { connectionId, routeKey, apiId: 'r00ms4p1x2', stage: 'live', domainName: 'r00ms4p1x2.execute-api.eu-west-1.amazonaws.com', eventType: 'MESSAGE' },
    isBase64Encoded: false,
    ...more,
  };
}

describe('sam-rooms', () => {
  let d: StackDescription;
  beforeAll(async () => {
    d = await readTemplateStack({ path: join(FIXTURES, 'sam-rooms/template.yaml'), parameters: {}, region: 'eu-west-1', accountId: '111122223333', apiId: 'r00ms4p1x2', workDir: join(work, 'sam') });
    await createTables(d);
  });

  it('joins the room of ?room= at $connect (ESM), refusing a connect without one', async () => {
    expect(await invoke(d, 'JoinFunction', event('c1', '$connect', { queryStringParameters: { room: 'lobby' } }))).toEqual({ statusCode: 200 });
    expect(await invoke(d, 'JoinFunction', event('c2', '$connect', { queryStringParameters: { room: 'lobby' } }))).toEqual({ statusCode: 200 });
    expect(await invoke(d, 'JoinFunction', event('c3', '$connect', { queryStringParameters: { room: 'kitchen' } }))).toEqual({ statusCode: 200 });
    expect((await invoke(d, 'JoinFunction', event('c4', '$connect'))).statusCode).toBe(400);
    const members = d.tables.find((t) => t.logicalId === 'MembersTable')!.definition.TableName;
    const lobby = await doc.send(new QueryCommand({ TableName: members, KeyConditionExpression: 'room = :r', ExpressionAttributeValues: { ':r': 'lobby' } }));
    expect(lobby.Items!.map((i) => i.connectionId).sort()).toEqual(['c1', 'c2']);
  });

  it('leaves every room at $disconnect (CommonJS, callback style), through the GSI', async () => {
    expect(await invoke(d, 'LeaveFunction', event('c1', '$disconnect'))).toEqual({ statusCode: 200 });
    const members = d.tables.find((t) => t.logicalId === 'MembersTable')!.definition.TableName;
    const all = await doc.send(new ScanCommand({ TableName: members }));
    expect(all.Items!.map((i) => `${i.room}/${i.connectionId}`).sort()).toEqual(['kitchen/c3', 'lobby/c2']);
  });

  it('refuses a publish without text before it reaches @connections', async () => {
    expect(await invoke(d, 'PublishFunction', event('c2', 'publish', { body: 'not json' }))).toEqual({ statusCode: 400, body: 'not JSON' });
    expect(await invoke(d, 'PublishFunction', event('c2', 'publish', { body: '{"action":"publish"}' }))).toEqual({ statusCode: 400, body: 'text is required' });
  });
});

describe('provisioned-cfn', () => {
  let d: StackDescription;
  let connections: Server;
  let callbackUrl: string;
  const posts: Array<{ id: string; body: string }> = [];

  beforeAll(async () => {
    d = await readTemplateStack({ path: join(FIXTURES, 'provisioned-cfn/template.json'), parameters: {}, region: 'eu-west-1', accountId: '111122223333', apiId: 'pr0v1s10nd', workDir: join(work, 'cfn') });
    await createTables(d);
    // @connections as API Gateway answers it: 200 for a live connection, 410 for a gone one
    connections = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = decodeURIComponent(/\/@connections\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
        if (req.method === 'POST' && id === 'gone') {
          res.writeHead(410, { 'content-type': 'application/json' }).end('{"message":"GoneException"}');
          return;
        }
        posts.push({ id, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    connections.listen(0, '127.0.0.1');
    await once(connections, 'listening');
    callbackUrl = `http://127.0.0.1:${(connections.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    await new Promise((done) => connections?.close(done));
  });

  it('connects with inline ZipFile code (index.js, CommonJS, the SDK from the runtime)', async () => {
    for (const id of ['a', 'b', 'gone']) expect(await invoke(d, 'ConnectFunction', event(id, '$connect'))).toEqual({ statusCode: 200 });
    const all = await doc.send(new ScanCommand({ TableName: d.tables[0]!.definition.TableName }));
    expect(all.Items!.map((i) => i.connectionId).sort()).toEqual(['a', 'b', 'gone']);
  });

  it('sends to every connection, awaiting each post, and deletes the gone one (410)', async () => {
    const result = await invoke(d, 'SendFunction', event('a', 'send', { body: '{"action":"send","text":"hi all"}' }), { CALLBACK_URL: callbackUrl });
    expect(result).toEqual({ statusCode: 200, body: '{"sent":2}' });
    expect(posts.map((p) => p.id).sort()).toEqual(['a', 'b']);
    for (const p of posts) expect(JSON.parse(p.body)).toEqual({ from: 'a', text: 'hi all' });
    const all = await doc.send(new ScanCommand({ TableName: d.tables[0]!.definition.TableName }));
    expect(all.Items!.map((i) => i.connectionId).sort()).toEqual(['a', 'b']);
  });

  it('disconnects', async () => {
    expect(await invoke(d, 'DisconnectFunction', event('a', '$disconnect'))).toEqual({ statusCode: 200 });
    const all = await doc.send(new ScanCommand({ TableName: d.tables[0]!.definition.TableName }));
    expect(all.Items!.map((i) => i.connectionId)).toEqual(['b']);
  });
});
