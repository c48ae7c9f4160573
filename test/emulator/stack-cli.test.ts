import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PATH_ROUTE } from '../../common/stack-ready.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connect } from '../fixtures/gateway/clients.ts';
import { until } from './lambda-test-helpers.ts';
import { FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { awsExportBlock } from '../../emulator/aws-endpoint-urls.ts';
import { NODE_RUNTIMES, nodeMajorOf, type NodeRuntime } from '../../common/node-runtimes.ts';
import { findNode, majorOf, PINNED_NODE_VERSIONS, type NodeBinary } from '../../src/local-stack/node-binaries.ts';
import { readToken } from '../../common/auth-token.ts';
import { deprecationOf } from '../../common/lambda-runtimes.ts';
import { UserError } from '../../common/errors.ts';
import { loadStackConfig } from '../../emulator/config.ts';
import { stackLaunchOf, type StackUpFlags } from '../../src/commands/stack.ts';
import { sourcesOf } from '../../src/local-stack/stack-flags.ts';
import { stackNode } from '../../src/local-stack/stack-launcher.ts';

// every file and folder a test writes, removed with it
const work = mkdtempSync(join(tmpdir(), 'fanout-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// `fanout-bench stack up` as a user runs it: a child process, one JSON line on stdout. It starts the
// stack program (emulator/main.ts) as a child of its own, through the launcher the
// local target uses, on the Node of the emulated runtime. Where a test is about the process
// (its lifetime, its Node, its token) the stack starts with `--prepared 0`: twenty INITs ahead of
// need are most of a stack start's CPU, and nothing there needs them.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runtimes other than this process's Node major, with the Node found for each (if any). */
const others = NODE_RUNTIMES.filter((r) => nodeMajorOf(r) !== majorOf(process.versions.node)).map((runtime) => ({
  runtime,
  node: findNode(nodeMajorOf(runtime)),
}));
const atHand = others.find((o) => o.node) as { runtime: NodeRuntime; node: NodeBinary } | undefined;
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function stackUp(args: string[], stdin: 'ignore' | 'pipe' = 'ignore', env: NodeJS.ProcessEnv = process.env): Run {
  const child = spawn(process.execPath, ['bin/fanout-bench.js', 'stack', 'up', ...args], {
    cwd: ROOT,
    stdio: [stdin, 'pipe', 'pipe'],
    env,
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/**
 * The line the stack program prints for the settings `stack up` makes of these flags, when it
 * loads its config (emulator/main.ts), in-process: each setting named by its flag, as the
 * launcher names them to it (stack-launcher.ts).
 */
function refusalOf(flags: StackUpFlags): string {
  const launch = stackLaunchOf(flags);
  const sources = sourcesOf(launch.settings ?? {});
  try {
    loadStackConfig({ overrides: launch.settings, flagFor: (field) => sources[field] });
  } catch (err) {
    if (err instanceof UserError) return `fanout-bench: ${err.message}\n`;
    throw err;
  }
  throw new Error(`not refused: ${JSON.stringify(flags)}`);
}

/** Exit 0 after a SIGTERM; if not, the failure says which signal ended it and what it wrote to stderr. */
async function expectCleanExit(run: Run): Promise<void> {
  const code = await run.exited;
  expect(code, `ended by ${run.child.signalCode ?? `exit ${code}`}; stderr: ${run.stderr()}`).toBe(0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function firstLine(run: Run, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!run.stdout().includes('\n')) {
    if (Date.now() > deadline) throw new Error(`no ready line; stderr: ${run.stderr()}`);
    if (run.child.exitCode !== null) throw new Error(`exited ${run.child.exitCode}; stderr: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return run.stdout().split('\n')[0]!;
}

describe('fanout-bench stack up', () => {
  it('prints exactly one ready line, serves the chat, and exits 0 on SIGTERM', async () => {
    // --prepared 0 too: the ready line, the chat and the exit are the same without environments
    // INIT'd ahead of need (twenty at the default); the whoami below boots its own
    const run = stackUp(['--port', '0', '--prepared', '0', '--stage', 'cli', '--memory', 'fanout-whoami=512']);
    const ready = JSON.parse(await firstLine(run));
    expect(Object.keys(ready).sort()).toEqual(
      [
        'apiId', 'callbackUrl', 'cloudwatchEndpoint', 'dynamodbEndpoint', 'functions', 'lambdaEndpoint', 'lambdaRuntime', 'ready', 'region', 'ssmEndpoint', 'stage', 'websocketUrl',
        'cloudformationEndpoint', 'apiGatewayV2Endpoint', 'edgeEndpoint', 'awsEndpointUrls', 'stackName', 'tables', 'goneConnectionsEndpoint', 'unservedCallsEndpoint', 'throttles',
      ].sort(),
    );
    expect(ready.awsEndpointUrls).toEqual({
      AWS_ENDPOINT_URL: ready.edgeEndpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: ready.cloudformationEndpoint,
      AWS_ENDPOINT_URL_LAMBDA: ready.lambdaEndpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: ready.cloudwatchEndpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: ready.cloudwatchEndpoint,
      AWS_ENDPOINT_URL_SSM: ready.ssmEndpoint,
      // Secrets Manager, on its own port (the ready line names no other field for it: the edge serves it too)
      AWS_ENDPOINT_URL_SECRETS_MANAGER: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_ENDPOINT_URL_APIGATEWAYV2: ready.apiGatewayV2Endpoint,
      AWS_ENDPOINT_URL_API_GATEWAY: ready.apiGatewayV2Endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: ready.dynamodbEndpoint,
      // the fan-out services, each on its own port (the ready line names no other field for them: the edge serves them too)
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_ENDPOINT_URL_SQS: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_ENDPOINT_URL_SNS: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_ENDPOINT_URL_EVENTBRIDGE: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    // and on stderr, once, ready to paste: written just after the ready line, on another pipe, so it may arrive a moment later
    const block = awsExportBlock(ready.awsEndpointUrls, 'us-east-1', 'FanoutBenchChat');
    for (let waited = 0; !run.stderr().includes(block) && waited < 5_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(run.stderr()).toContain(block);
    // one variable, the edge's, points the SDK and the CLI at the whole stack
    expect(run.stderr().split(`export AWS_ENDPOINT_URL=${ready.edgeEndpoint}\n`)).toHaveLength(2);
    expect(run.stderr()).not.toContain('export AWS_ENDPOINT_URL_');
    // every function of the manifest, with the memory it got: --memory's where given; and the server
    // push's, which no route invokes (its bus's rule does), under the path's route
    expect(ready.functions.map((f: { name: string }) => f.name)).toEqual([...FUNCTIONS.map((f) => f.name), 'fanout-push']);
    expect(ready.functions.at(-1)).toMatchObject({ name: 'fanout-push', route: PATH_ROUTE });
    expect(ready.functions.find((f: { name: string }) => f.name === 'fanout-whoami')).toEqual({
      name: 'fanout-whoami',
      // the CDK app's logical id: the stack is its template
      logicalId: expect.stringMatching(/^fanoutwhoami[0-9A-F]{8}$/),
      route: 'whoami',
      memoryMB: 512,
      timeoutSeconds: 10,
      runtime: 'nodejs22.x',
    });
    expect(ready.functions.find((f: { name: string }) => f.name === 'fanout-send-message').memoryMB).toBe(1024);
    expect(ready.lambdaEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // the stage's throttle as the CDK app deploys it, no route of its own
    expect(ready.throttles).toEqual({ stage: { rateLimit: 500, burstLimit: 1_000 }, routes: {} });
    // the default runtime, on Node 22 when one is at hand (this process, the cache or PATH)
    const node22 = findNode(22);
    expect(ready.lambdaRuntime).toMatchObject(
      node22
        ? { runtime: 'nodejs22.x', node: node22.version, matches: true }
        : { runtime: 'nodejs22.x', node: process.versions.node, matches: false, note: expect.stringMatching(/^nodejs22\.x runs on Node 22, and none was found/) },
    );
    // and each runtime in use with what ran it: the reference stack's one, on the Node that ran the stack, for the
    // routes' functions and the server push's (no route invokes it: its bus's rule does)
    expect(ready.lambdaRuntime.runtimes).toEqual([
      { runtime: 'nodejs22.x', functions: ready.functions.map((f: { name: string }) => f.name), ranOn: node22 ? `Node ${node22.version}` : `Node ${process.versions.node}, not Node 22 as on Lambda`, matches: node22 !== undefined },
    ]);
    expect(ready).toMatchObject({ ready: true, stage: 'cli', region: 'us-east-1' });
    expect(ready.websocketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/cli$/);
    expect(ready.callbackUrl).toBe(ready.websocketUrl.replace('ws://', 'http://'));

    const c = await connect(ready.websocketUrl);
    c.send({ action: 'whoami' });
    expect((await c.take((f) => f.type === 'whoami', 30_000)).connectionId).toBeTypeOf('string');

    // --memory reached the function: its REPORT line, read back through the real Logs client
    const logs = new CloudWatchLogsClient({
      endpoint: ready.cloudwatchEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const { events } = await logs.send(
        new FilterLogEventsCommand({ logGroupName: '/aws/lambda/fanout-whoami', filterPattern: 'REPORT' }),
      );
      expect(events?.[0]?.message).toMatch(/\tMemory Size: 512 MB\t/);
    } finally {
      logs.destroy();
    }

    run.child.kill('SIGTERM');
    await expectCleanExit(run);
    expect((await c.closed).code).toBe(1001);
    expect(run.stdout().trimEnd().split('\n')).toHaveLength(1);
  });

  it('with --exit-with-stdin stops by itself when its parent goes away (stdin closes), leaving no temp folder', async () => {
    // a temp directory of its own: the runtime's /tmp folders are there while it runs
    const tmp = mkdtempSync(join(work, 'tmp-'));
    const ours = () => readdirSync(tmp).filter((f) => f.startsWith('fanout-'));
    const run = stackUp(['--port', '0', '--prepared', '0', '--exit-with-stdin'], 'pipe', { ...process.env, TMPDIR: tmp });
    const ready = JSON.parse(await firstLine(run));
    expect(ours()).toEqual([expect.stringMatching(/^fanout-lambda-tmp-/)]);
    const c = await connect(ready.websocketUrl);
    // the parent (the harness's local target) dying closes this pipe; nothing else signals the stack.
    // Orphaned, it ends at once (the kernel kills it: no close frames, nobody is left to read them).
    run.child.stdin!.end();
    expect(await run.exited).toBeNull();
    expect(run.child.signalCode).toBe('SIGKILL');
    expect((await c.closed).code).toBe(1006);
    // a SIGKILL runs no exit handler: the stack removed them before it
    expect(ours()).toEqual([]);
  });

  it('says the port is in use in one line and exits 2', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = stackUp(['--port', String(port)]);
      expect(await run.exited).toBe(2);
      expect(run.stderr()).toBe(`fanout-bench: port ${port} on 127.0.0.1 is already in use\n`);
      expect(run.stdout()).toBe('');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('names the file and field of a bad config in one line and exits 2', async () => {
    const dir = mkdtempSync(join(work, 'cli-'));
    const file = join(dir, 'stack.yaml');
    writeFileSync(file, 'limits:\n  maxMessageBytes: lots\n');
    const run = stackUp(['--config', file]);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(new RegExp(`^fanout-bench: ${file}: limits\\.maxMessageBytes: [^\\n]+\\n$`));
  });

  // One through the CLI: every bad flag value below takes its way (the stack program refusing the
  // setting as it loads its config, before anything else), and what each says is the stack
  // program's own function's answer to the flag's setting, held to in-process (refusalOf). A
  // function the stack does not have is refused once the stack is described: through `stack up`
  // by test/e2e/template-knobs.test.ts ("is one line, exit 2, naming its functions …": --reserved
  // naming a function the template does not have), and by test/emulator/config.test.ts ("refuses
  // a function the stack does not have, naming it").
  it('names the flag of a bad flag value and exits 2', async () => {
    const run = stackUp(['--lost-disconnect-share', '1.5']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/^fanout-bench: --lost-disconnect-share: faults\.lostDisconnectShare: [^\n]+\n$/);
    // the line refusalOf gives is the one the stack program printed
    expect(run.stderr()).toBe(refusalOf({ lostDisconnectShare: '1.5' }));
  });

  it('names the flag of each bad flag value: the line the stack program prints for its setting', () => {
    const cases: Array<[StackUpFlags, RegExp | string]> = [
      [{ dynamodbThrottleShare: '-0.1' }, /^fanout-bench: --dynamodb-throttle-share: faults\.dynamodbThrottleShare: [^\n]+\n$/],
      [{ stackName: 'arm_64' }, 'fanout-bench: --stack-name: stackName: must start with a letter and hold only letters, digits and "-"\n'],
      [{ awsMetricsLag: 'soon' }, /^fanout-bench: --aws-metrics-lag: awsMetrics\.lag: a duration from 0 to 1h[^\n]*\n$/],
      [{ stageRps: '0' }, /^fanout-bench: --stage-rps: limits\.stageRps: [^\n]+\n$/],
      [{ stageBurst: '1.5' }, /^fanout-bench: --stage-burst: limits\.stageBurst: [^\n]+\n$/],
      [{ idleRule: 'server' }, /^fanout-bench: --idle-rule: limits\.idleTimeoutRule: [^\n]*"client"[^\n]*"either"[^\n]*\n$/],
      [{ authIdentity: 'cookie' }, /^fanout-bench: --auth-identity: auth\.identitySource: [^\n]+\n$/],
      [{ cpuModel: 'fast' }, /^fanout-bench: --cpu-model: lambda\.cpuModel: [^\n]*"throttle"[^\n]*"off"[^\n]*\n$/],
      [{ hostMaxEnvironments: '0' }, /^fanout-bench: --host-max-environments: lambda\.hostMaxEnvironments: [^\n]+\n$/],
      [{ hostEnvironmentsPerCore: '-1' }, /^fanout-bench: --host-environments-per-core: lambda\.hostEnvironmentsPerCore: [^\n]+\n$/],
      [{ initConcurrency: '0' }, /^fanout-bench: --init-concurrency: lambda\.initConcurrency: [^\n]+\n$/],
    ];
    for (const [flags, line] of cases) {
      if (typeof line === 'string') expect(refusalOf(flags), JSON.stringify(flags)).toBe(line);
      else expect(refusalOf(flags), JSON.stringify(flags)).toMatch(line);
    }
  });

  it('with --auth expects the token from --auth-token-file (or FANOUT_BENCH_TOKEN) and never prints it', async () => {
    const dir = mkdtempSync(join(work, 'cli-'));
    const file = join(dir, 'token');
    const token = `cli-${process.pid}-${Date.now()}-secret`;
    writeFileSync(file, `${token}\n`);
    const run = stackUp(['--host', '127.0.0.1', '--port', '0', '--prepared', '0', '--auth', '--auth-identity', 'query', '--auth-token-file', file], 'ignore', { ...process.env, FANOUT_BENCH_TOKEN: 'not-this-one' });
    const ready = JSON.parse(await firstLine(run));
    expect(ready.auth).toEqual({ authorizer: 'fanout-authorizer', identitySource: ['route.request.querystring.token'], parameterName: '/fanout-bench/FanoutBenchChat/connect-token' });
    const c = await connect(`${ready.websocketUrl}?token=${token}`);
    c.send({ action: 'whoami' });
    expect(await c.take((f) => f.type === 'whoami', 30_000)).toMatchObject({ principalId: 'token-holder', tokenSource: 'query' });
    await expect(connect(`${ready.websocketUrl}?token=not-this-one`)).rejects.toMatchObject({ status: 403 });
    run.child.kill('SIGTERM');
    await expectCleanExit(run);
    expect(run.stdout() + run.stderr()).not.toContain(token);
  });

  it('with --auth and no token says where to put it in one line and exits 2', async () => {
    const env = { ...process.env };
    delete env.FANOUT_BENCH_TOKEN;
    const run = stackUp(['--port', '0', '--auth'], 'ignore', env);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/^fanout-bench: auth: the authorizer needs the token it expects: set FANOUT_BENCH_TOKEN or auth\.tokenFile \(--auth-token-file\)\n$/);
    // an empty token file: the stack program's own reading of it, as it reads it (a bad
    // --auth-identity is a setting refused as the config loads, with the bad flag values above)
    const empty = join(mkdtempSync(join(work, 'cli-')), 'empty');
    writeFileSync(empty, '\n');
    const sources = sourcesOf(stackLaunchOf({ auth: true, authTokenFile: empty }).settings!);
    expect(() => readToken({ file: empty, fileField: sources['auth.tokenFile'] })).toThrow(new UserError(`--auth-token-file ${empty}: the token is empty`));
  });

  // One stack for both ways of naming the runtime: the flag's reaches the stack whole in "without
  // the runtime's Node" below (on this Node, its mismatch noted); the file's here, on the Node
  // found. Which Node the launcher picks for either is the same decision (stackNode), held here.
  it.skipIf(!atHand)(`runs the stack on the emulated runtime's Node when one is at hand, the runtime from --runtime or a --config file (${atHand?.runtime})`, async () => {
    const found = { node: { path: atHand!.node.path, version: atHand!.node.version } };
    expect(stackNode(stackLaunchOf({ runtime: atHand!.runtime }))).toEqual(found);
    const file = join(mkdtempSync(join(work, 'cli-')), 'stack.yaml');
    writeFileSync(file, `lambda:\n  runtime: ${atHand!.runtime}\n`);
    expect(stackNode(stackLaunchOf({ config: file }))).toEqual(found);
    const run = stackUp(['--port', '0', '--prepared', '0', '--config', file]);
    const ready = JSON.parse(await firstLine(run));
    expect(ready.lambdaRuntime).toMatchObject({ runtime: atHand!.runtime, node: atHand!.node.version, matches: true });
    expect(ready.functions[0].runtime).toBe(atHand!.runtime);
    const c = await connect(ready.websocketUrl);
    c.send({ action: 'whoami' });
    expect((await c.take((f) => f.type === 'whoami', 30_000)).connectionId).toBeTypeOf('string');
    // SIGTERM reaches the stack through the process that launched it; both exit 0
    run.child.kill('SIGTERM');
    await expectCleanExit(run);
    expect((await c.closed).code).toBe(1001);
    expect(run.stderr()).not.toMatch(/warning/);
  });

  it.skipIf(process.platform !== 'linux')('the stack stops when the process that launched it is killed', async () => {
    const run = stackUp(['--port', '0', '--prepared', '0']);
    const ready = JSON.parse(await firstLine(run));
    const pid = run.child.pid!;
    const [stackPid] = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    expect(stackPid).toBeGreaterThan(0);
    const c = await connect(ready.websocketUrl);
    run.child.kill('SIGKILL'); // no signal can be forwarded
    // orphaned, the stack ends at once (killed by the kernel: no close frames)
    expect((await c.closed).code).toBe(1006);
    await until(() => !alive(stackPid!), 15_000);
  });

  it('without the runtime\'s Node: says so once, runs on this Node and records the mismatch in the ready line', async () => {
    const emptyCache = mkdtempSync(join(work, 'no-node-'));
    // a runtime whose Node is neither this one nor one that npm installed (Node 22), and that Lambda
    // has not deprecated by today (a deprecated one says that first: run-own-words tests it)
    const runtime = others.find((o) => deprecationOf(o.runtime) === undefined && findNode(nodeMajorOf(o.runtime), { cacheDir: emptyCache, path: '' }) === undefined)!.runtime;
    // only this Node on PATH, and an empty cache: nothing of the runtime's major to be found
    const env = { ...process.env, FANOUT_BENCH_NODE_CACHE: emptyCache, PATH: dirname(process.execPath) };
    const run = stackUp(['--port', '0', '--prepared', '0', '--runtime', runtime], 'ignore', env);
    const ready = JSON.parse(await firstLine(run));
    const major = nodeMajorOf(runtime);
    expect(ready.lambdaRuntime).toMatchObject({
      runtime,
      node: process.versions.node,
      matches: false,
      note: `${runtime} runs on Node ${major}, and none was found in node_modules, ${emptyCache} or on PATH: the functions run on Node ${process.versions.node} instead; \`npx fanout-bench stack install-node ${runtime}\` puts Node ${PINNED_NODE_VERSIONS[major]} there`,
    });
    expect(run.stderr()).toBe(`fanout-bench: warning: ${ready.lambdaRuntime.note}\n${awsExportBlock(ready.awsEndpointUrls, 'us-east-1', 'FanoutBenchChat')}`);
    run.child.kill('SIGTERM');
    await expectCleanExit(run);
  });

  // In-process: the launcher runs a runtime it does not know on this Node, and the stack program's
  // config load refuses it, the one way a bad flag value takes (the CLI's exit 2 for it: "names
  // the flag of a bad flag value and exits 2")
  it('names a runtime it does not emulate in one line', () => {
    // nodejs18.x runs on Node 20, the oldest the emulator runs on: the one found, this one when this is Node 20
    const node20 = findNode(20)!;
    expect(stackNode(stackLaunchOf({ runtime: 'nodejs18.x' }))).toEqual({ node: { path: node20.path, version: node20.version } });
    expect(refusalOf({ runtime: 'nodejs18.x' })).toBe('fanout-bench: --runtime: lambda.runtime: Invalid option: expected one of "nodejs20.x"|"nodejs22.x"|"nodejs24.x"\n');
  });
});
