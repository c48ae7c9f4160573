import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { stretchFactor } from '../../emulator/lambda/environments/cpu-share.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { expectError, expectOk, until } from './lambda-test-helpers.ts';

// Python functions as Lambda runs them, through the Runtime API: real python3 processes started
// by the emulator, behind the same pool as Node's (cold starts, reuse, reserved concurrency,
// REPORT lines, metrics). Lambda's errors (INIT's and the handler's), the freeze between
// invocations (a thread left running does not run; its work is lost when the environment is
// retired), Timeout, a process that exits, and output a handler should not make. The handlers
// import no boto3 (cheap INITs); boto3 against the emulator is stack-python.test.ts's.

const root = mkdtempSync(join(tmpdir(), 'fanout-python-runtime-'));
const code = (name: string, files: Record<string, string>): string => {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
};

const APP = `
import logging, os, sys, threading, time
logger = logging.getLogger()
logger.setLevel(logging.INFO)
calls = 0
ticks = []

def about(event, context):
    global calls
    calls += 1
    print("printed", event.get("n"))
    logger.info("logged line\\nand its second line")
    return {
        "calls": calls,
        "event": event,
        "context": {
            "aws_request_id": context.aws_request_id,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
            # awslambdaric lambda_context.py: an empty CognitoIdentity, no ClientContext, without an Invoke that carries them
            "identity": [type(context.identity).__name__, context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
            "client_context": context.client_context,
            "tenant_id": context.tenant_id,
            "repr": repr(context),
        },
        "env": {k: os.environ.get(k) for k in ["AWS_LAMBDA_RUNTIME_API", "_HANDLER", "LAMBDA_TASK_ROOT", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "TZ", "AWS_ACCESS_KEY_ID", "_X_AMZN_TRACE_ID", "_FANOUT_BENCH_AWS_ENDPOINTS", "MY_VARIABLE"]},
        "cwd": os.getcwd(),
        "path0": sys.path[0],
        "pid": os.getpid(),
    }

def fail(event, context):
    raise ValueError("no such room: " + event["room"])

def client_context(event, context):
    c = context.client_context
    return {"custom": c.custom, "env": c.env, "client": [type(c.client).__name__, c.client.installation_id, c.client.app_title]}

def sleep(event, context):
    time.sleep(event["seconds"])
    return {"slept": event["seconds"]}

hoard = []

def hoard_mb(event, context):
    # written, not only reserved: resident memory grows with each block
    for _ in range(event["mb"] // 8):
        hoard.append(b"\x01" * (8 * 1024 * 1024))
    return {"held": len(hoard) * 8}

def exit(event, context):
    os._exit(3)

def tick():
    while True:
        ticks.append(time.time() * 1000)
        time.sleep(0.005)

def ticker(event, context):
    if event.get("start"):
        threading.Thread(target=tick, daemon=True).start()
    # the thread ticks while the handler runs: wait for its first tick of this invocation (bounded),
    # not a fixed time a busy host may not give the thread
    began = time.time() * 1000
    deadline = time.monotonic() + 5
    while not (ticks and ticks[-1] >= began) and time.monotonic() < deadline:
        time.sleep(0.005)
    return {"ticks": list(ticks)}

def later(event, context):
    def write():
        time.sleep(0.2)
        open(event["marker"], "w").write("written after the handler returned")
    threading.Thread(target=write).start()
    return {"pid": os.getpid()}

def burn(event, context):
    start = time.process_time()
    x = 0
    while time.process_time() - start < event["cpuSeconds"]:
        x += 1
    return {"cpu": time.process_time() - start}

def noisy(event, context):
    print("x" * (1024 * 1024 * 3))
    sys.stderr.write("to stderr\\n")
    return {"ok": True}

def fork(event, context):
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    return {"child": pid}

def unserializable(event, context):
    return {"when": object()}
`;

let runtime: LambdaRuntime;
let logs: LogStore;
let metrics: MetricStore;
const lines: string[] = [];

const fn = (name: string, handler: string, dir: string, extra: Record<string, unknown> = {}) => ({
  name,
  runtime: 'python3.11' as const,
  code: { kind: 'handler' as const, dir, handler },
  memoryMB: 1769,
  timeoutSeconds: 5,
  ...extra,
});

beforeAll(async () => {
  const app = code('app', { 'app.py': APP });
  const nested = code('nested', { 'pkg/__init__.py': '', 'pkg/inner/__init__.py': '', 'pkg/inner/mod.py': 'def run(event, context):\n    return {"nested": True}\n' });
  const broken = code('broken', {
    'missing.py': 'import no_such_package\ndef handler(event, context):\n    return 1\n',
    'syntax.py': 'def handler(event, context)\n    return 1\n',
    'raises.py': 'import os\nTABLE = os.environ["NO_SUCH_VARIABLE"]\ndef handler(event, context):\n    return 1\n',
    'fine.py': 'def handler(event, context):\n    return 1\n',
  });
  logs = new LogStore();
  metrics = new MetricStore();
  runtime = await createLambdaRuntime({
    metrics,
    logs,
    cpuModel: 'off',
    log: (line) => lines.push(line),
    functions: [
      fn('about', 'app.about', app, { memoryMB: 512, environment: { MY_VARIABLE: 'mine', TZ: 'Europe/Paris' } }),
      fn('fail', 'app.fail', app),
      fn('client-context', 'app.client_context', app),
      fn('sleep', 'app.sleep', app, { timeoutSeconds: 1 }),
      fn('exit', 'app.exit', app),
      fn('hoard', 'app.hoard_mb', app, { memoryMB: 128 }),
      fn('freeze', 'app.ticker', app),
      fn('later', 'app.later', app),
      fn('reserved', 'app.sleep', app, { reservedConcurrency: 1 }),
      fn('noisy', 'app.noisy', app),
      fn('fork', 'app.fork', app),
      fn('marshal', 'app.unserializable', app),
      fn('nested-slash', 'pkg/inner/mod.run', nested),
      fn('nested-dots', 'pkg.inner.mod.run', nested),
      fn('import-error', 'missing.handler', broken),
      fn('syntax-error', 'syntax.handler', broken),
      fn('module-raises', 'raises.handler', broken),
      fn('no-handler', 'fine.nope', broken),
      fn('malformed', 'fine', broken),
    ],
  });
}, 30_000);

afterAll(async () => {
  await runtime?.close();
  rmSync(root, { recursive: true, force: true });
});

function logOf(name: string): string[] {
  return (logs.filter({ logGroupName: `/aws/lambda/${name}`, limit: 10_000 })?.events ?? []).map((e) => e.message);
}

/** An invocation's REPORT line, once written. */
async function reportOf(name: string, requestId: string): Promise<string> {
  return until(() => logOf(name).find((l) => l.startsWith(`REPORT RequestId: ${requestId}`)));
}

/** A process that has not exited (a zombie has: only its parent's wait is missing). */
function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('Python on the Runtime API', () => {
  it('says which Python runs the runtime, once', () => {
    expect(lines.filter((l) => l.includes('python3.11 runs on the host'))).toHaveLength(1);
  });

  it('passes the event as a dict and a context like Lambda\'s; a warm invocation reuses the module', async () => {
    const first = expectOk(await runtime.invoke('about', { n: 1, nested: { a: [1, 2] } }));
    expect(first.cold).toBe(true);
    expect(first.initDurationMs).toBeGreaterThan(0);
    const r = first.result as Record<string, any>;
    expect(r.calls).toBe(1);
    expect(r.event).toEqual({ n: 1, nested: { a: [1, 2] } });
    expect(r.context).toMatchObject({
      aws_request_id: first.requestId,
      function_name: 'about',
      function_version: '$LATEST',
      invoked_function_arn: 'arn:aws:lambda:us-east-1:000000000000:function:about',
      memory_limit_in_mb: '512',
      log_group_name: '/aws/lambda/about',
      log_stream_name: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
    });
    expect(r.context.remaining).toBeGreaterThan(0);
    expect(r.context.remaining).toBeLessThanOrEqual(5000);
    expect(r.context).toMatchObject({ identity: ['CognitoIdentity', null, null], client_context: null, tenant_id: null });
    expect(r.context.repr).toBe(
      `LambdaContext([aws_request_id=${first.requestId},log_group_name=/aws/lambda/about,log_stream_name=${r.context.log_stream_name},function_name=about,` +
        `memory_limit_in_mb=512,function_version=$LATEST,invoked_function_arn=arn:aws:lambda:us-east-1:000000000000:function:about,client_context=None,` +
        'identity=CognitoIdentity([cognito_identity_id=None,cognito_identity_pool_id=None]),tenant_id=None])',
    );
    expect(r.env).toMatchObject({
      AWS_LAMBDA_RUNTIME_API: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      _HANDLER: 'app.about',
      LAMBDA_TASK_ROOT: join(root, 'app'),
      AWS_LAMBDA_FUNCTION_NAME: 'about',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_REGION: 'us-east-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_python3.11',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/about',
      AWS_LAMBDA_LOG_STREAM_NAME: r.context.log_stream_name,
      TZ: 'Europe/Paris', // the function's own value wins, as on Lambda
      AWS_ACCESS_KEY_ID: 'local',
      _X_AMZN_TRACE_ID: expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/),
      _FANOUT_BENCH_AWS_ENDPOINTS: null, // the bootstrap's own: gone before the handler runs
      MY_VARIABLE: 'mine',
    });
    expect(r.cwd).toBe(join(root, 'app'));
    expect(r.path0).toBe(join(root, 'app'));
    const second = expectOk(await runtime.invoke('about', { n: 2 }));
    expect(second.cold).toBe(false);
    expect(second.initDurationMs).toBeUndefined();
    expect(second.result).toMatchObject({ calls: 2, pid: r.pid });
    expect(runtime.stats().about).toMatchObject({ coldStarts: 1, invocations: 2, live: 1, runsIn: 'process' });
    expect(runtime.stats().about!.hostCpuInitMs).toBeGreaterThan(0);
  });

  it("gives an Invoke's ClientContext as awslambdaric does: a ClientContext whose client is a Client; one that is not JSON fails the invocation", async () => {
    const sent = { client: { installation_id: 'i-1', app_title: 'warmer' }, custom: { source: 'warmup' }, env: { locale: 'en' } };
    expect(expectOk(await runtime.invoke('client-context', {}, { clientContext: JSON.stringify(sent) })).result).toEqual({ custom: { source: 'warmup' }, env: { locale: 'en' }, client: ['Client', 'i-1', 'warmer'] });
    expect(expectError(await runtime.invoke('client-context', {}, { clientContext: '{' }))).toMatchObject({ errorType: 'Runtime.LambdaContextUnmarshalError', errorMessage: expect.stringMatching(/^Unable to parse Client Context JSON: /) });
  });

  it('writes print and logging to the function\'s log between START and END, and a REPORT line with Init Duration once', async () => {
    const log = logOf('about');
    const starts = log.filter((l) => l.startsWith('START RequestId: '));
    expect(starts.length).toBeGreaterThanOrEqual(2);
    const first = log.slice(0, log.findIndex((l) => l.startsWith('REPORT')) + 1);
    expect(first[0]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
    const id = first[0]!.split(' ')[2]!;
    expect(first).toContain('printed 1');
    expect(first.find((l) => l.startsWith('[INFO]'))).toMatch(new RegExp(`^\\[INFO\\]\\t\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\t${id}\\tlogged line\\rand its second line$`));
    expect(first.at(-2)).toBe(`END RequestId: ${id}`);
    expect(first.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 512 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms\\t$`));
    expect(Number(/Max Memory Used: (\d+)/.exec(first.at(-1)!)![1])).toBeGreaterThan(3);
    const reports = log.filter((l) => l.startsWith('REPORT'));
    expect(reports.filter((l) => l.includes('Init Duration'))).toHaveLength(1);
    // the same metrics as Node's environments: one pool
    const names = metrics.listMetrics({ namespace: 'AWS/Lambda', dimensions: [{ name: 'FunctionName', value: 'about' }] }).map((m) => m.metricName);
    expect(names).toEqual(expect.arrayContaining(['Invocations', 'ConcurrentExecutions', 'Duration']));
  });

  it('imports [package/]module.function in both forms', async () => {
    expect(expectOk(await runtime.invoke('nested-slash', {})).result).toEqual({ nested: true });
    expect(expectOk(await runtime.invoke('nested-dots', {})).result).toEqual({ nested: true });
  });

  it('answers a handler\'s exception as Lambda\'s Python runtime does, and the environment stays warm', async () => {
    const e = expectError(await runtime.invoke('fail', { room: 'r9' }));
    expect(e).toMatchObject({ errorType: 'ValueError', errorMessage: 'no such room: r9', cold: true });
    const again = expectError(await runtime.invoke('fail', { room: 'r9' }));
    expect(again.cold).toBe(false);
    const logged = logOf('fail').find((l) => l.startsWith('[ERROR]'))!;
    expect(logged.split('\r')).toEqual([
      '[ERROR] ValueError: no such room: r9',
      'Traceback (most recent call last):',
      expect.stringMatching(/^ {2}File ".*\/app\.py", line \d+, in fail$/),
      '    raise ValueError("no such room: " + event["room"])',
    ]);
    const marshal = expectError(await runtime.invoke('marshal', {}));
    expect(marshal).toMatchObject({ errorType: 'Runtime.MarshalError', errorMessage: expect.stringMatching(/^Unable to marshal response: Object of type object is not JSON serializable/) });
  });

  it('reports INIT errors as Lambda does, INIT_REPORT included, and keeps serving the other functions', async () => {
    const importError = expectError(await runtime.invoke('import-error', {}));
    expect(importError).toMatchObject({ errorType: 'Runtime.ImportModuleError', errorMessage: "Unable to import module 'missing': No module named 'no_such_package'", cold: true });
    const syntax = expectError(await runtime.invoke('syntax-error', {}));
    expect(syntax.errorType).toBe('Runtime.UserCodeSyntaxError');
    expect(syntax.errorMessage).toMatch(/^Syntax error in module 'syntax': /);
    expect(expectError(await runtime.invoke('module-raises', {}))).toMatchObject({ errorType: 'KeyError', errorMessage: "'NO_SUCH_VARIABLE'" });
    expect(expectError(await runtime.invoke('malformed', {}))).toMatchObject({ errorType: 'Runtime.MalformedHandlerName', errorMessage: "Bad handler 'fine': not enough values to unpack (expected 2, got 1)" });
    // Lambda's Python runtime reports a missing handler at each invocation, not at INIT
    const missing = expectError(await runtime.invoke('no-handler', {}));
    expect(missing).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: "Handler 'nope' missing on module 'fine'", cold: true });
    expect(expectError(await runtime.invoke('no-handler', {})).cold).toBe(false);
    const first = logOf('import-error');
    expect(first[0]).toBe("[ERROR] Runtime.ImportModuleError: Unable to import module 'missing': No module named 'no_such_package'\rTraceback (most recent call last):");
    await until(() => logOf('import-error').some((l) => l.startsWith('INIT_REPORT')));
    expect(logOf('import-error').find((l) => l.startsWith('INIT_REPORT'))).toMatch(/^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime\.ImportModuleError\t$/);
    // each cold invocation runs INIT again and fails again, as on AWS
    const again = expectError(await runtime.invoke('import-error', {}));
    expect(again.cold).toBe(true);
    expect(runtime.stats()['import-error']).toMatchObject({ coldStarts: 2, errors: 2, live: 0 });
    // and each has its REPORT line, after its environment's INIT_REPORT, as on Lambda
    for (const id of [importError.requestId, again.requestId]) {
      expect(await reportOf('import-error', id)).toMatch(/\tStatus: error\tError Type: Runtime\.ImportModuleError\t$/);
    }
    const log = logOf('import-error');
    expect(log.findIndex((l) => l.startsWith('INIT_REPORT'))).toBeLessThan(log.indexOf(`START RequestId: ${importError.requestId} Version: $LATEST`));
    expect(expectOk(await runtime.invoke('nested-dots', {})).result).toEqual({ nested: true });
  });

  it('ends an invocation past its Timeout with Task timed out, the process killed, the next one cold', async () => {
    const warm = expectOk(await runtime.invoke('sleep', { seconds: 0 }));
    expect(warm.cold).toBe(true);
    const e = expectError(await runtime.invoke('sleep', { seconds: 30 }));
    expect(e).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' });
    expect(runtime.stats().sleep).toMatchObject({ timeouts: 1, live: 0 });
    expect(logOf('sleep').some((l) => /^\S+Z \S+ Task timed out after 1\.00 seconds$/.test(l))).toBe(true);
    expect(logOf('sleep').find((l) => l.includes('Status: timeout'))).toMatch(/^REPORT .*\tDuration: 1000\.00 ms\t.*Status: timeout\t$/);
    const next = expectOk(await runtime.invoke('sleep', { seconds: 0 }));
    expect(next.cold).toBe(true);
    expect(await reportOf('sleep', next.requestId)).toContain('Init Duration');
  });

  it('reports a process that exits during an invocation as Runtime.ExitError; the next invocation is cold', async () => {
    const e = expectError(await runtime.invoke('exit', {}));
    expect(e.errorType).toBe('Runtime.ExitError');
    expect(e.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/);
    expect(logOf('exit')).toContain('Runtime.ExitError');
    // its environment's first invocation: a cold start, with its Init Duration, though it crashed
    expect(logOf('exit').find((l) => l.startsWith('REPORT'))).toMatch(/\tInit Duration: [\d.]+ ms\tStatus: error\tError Type: Runtime\.ExitError\t$/);
    expect(runtime.stats().exit).toMatchObject({ live: 0, errors: 1 });
    const next = expectError(await runtime.invoke('exit', {}));
    expect(next.cold).toBe(true);
    expect(await reportOf('exit', next.requestId)).toContain('Init Duration');
  });

  it('kills a process past its memory size as Lambda does: signal: killed, Max Memory Used the size, the next invocation cold', async () => {
    // 48 MB fits in 128 MB beside the interpreter (about 10 MB): answered, and the environment kept
    expect(expectOk(await runtime.invoke('hoard', { mb: 48 })).result).toEqual({ held: 48 });
    const e = expectError(await runtime.invoke('hoard', { mb: 256 }));
    expect(e.errorType).toBe('Runtime.ExitError');
    expect(e.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: signal: killed$/);
    const reports = logOf('hoard').filter((l) => l.startsWith('REPORT'));
    expect(reports).toHaveLength(2);
    expect(reports[1]).toMatch(/\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t.*Status: error\tError Type: Runtime\.ExitError\t$/);
    expect(runtime.stats().hoard).toMatchObject({ live: 0, errors: 1 });
    const next = expectOk(await runtime.invoke('hoard', { mb: 8 }));
    expect(next.cold).toBe(true);
    expect(await reportOf('hoard', next.requestId)).toContain('Init Duration');
  });

  it('freezes the process between invocations: a thread the handler left running does not run meanwhile', async () => {
    expectOk(await runtime.invoke('freeze', { start: true }));
    const frozenFrom = Date.now();
    await new Promise((r) => setTimeout(r, 400));
    const frozenTo = Date.now();
    // the same environment, thawed: the ticks its thread recorded
    const r = expectOk(await runtime.invoke('freeze', {}));
    expect(r.cold).toBe(false);
    const ticks = (r.result as { ticks: number[] }).ticks;
    // ticks before the freeze and after the thaw; the thread ticks every 5 ms, so a running process
    // leaves no gap near the 400 ms wait, and a frozen one leaves one that spans its end (when the
    // runtime's /next stopped the process after the answer depends on the host: not asserted)
    expect(ticks.filter((t) => t < frozenFrom).length).toBeGreaterThan(0);
    expect(ticks.filter((t) => t >= frozenTo).length).toBeGreaterThan(0);
    const gaps = ticks.slice(1).map((t, i) => ({ from: ticks[i]!, to: t }));
    const frozen = gaps.reduce((a, b) => (b.to - b.from > a.to - a.from ? b : a));
    expect(frozen.from).toBeLessThan(frozenTo);
    expect(frozen.to).toBeGreaterThanOrEqual(frozenTo);
    expect(frozen.to - frozen.from).toBeGreaterThanOrEqual(200);
  });

  it('kills a retired environment as it is: work the handler left for after it returned is lost', async () => {
    const marker = join(root, 'marker');
    const r = expectOk(await runtime.invoke('later', { marker }));
    const pid = (r.result as { pid: number }).pid;
    // a configuration update retires the idle environment at once
    await runtime.updateFunction('later', { memoryMB: 1024 });
    await until(() => !alive(pid));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(existsSync(marker)).toBe(false);
    expect(expectOk(await runtime.invoke('later', { marker: join(root, 'other') })).cold).toBe(true);
  });

  it('throttles through the shared pool: reserved concurrency 1 runs one invocation at a time', async () => {
    const [a, b] = await Promise.all([runtime.invoke('reserved', { seconds: 0.3 }), runtime.invoke('reserved', { seconds: 0.3 })]);
    const kinds = [a.kind, b.kind].sort();
    expect(kinds).toEqual(['ok', 'throttled']);
    const throttled = [a, b].find((o) => o.kind === 'throttled')!;
    expect(throttled).toMatchObject({ reason: 'reserved-concurrency' });
    expect(runtime.stats().reserved).toMatchObject({ throttles: 1, invocations: 1 });
  });

  it('takes a frozen environment whose process is killed out of the pool: the next invocation is cold', async () => {
    const before = expectOk(await runtime.invoke('nested-dots', {}));
    expect(before.cold).toBe(false);
    const pid = (expectOk(await runtime.invoke('about', {})).result as { pid: number }).pid;
    const live = runtime.stats().about!.live;
    process.kill(pid, 'SIGKILL'); // stopped, between invocations
    await until(() => runtime.stats().about!.live === live - 1);
    const after = expectOk(await runtime.invoke('about', {}));
    expect(after.cold).toBe(true);
    expect((after.result as { pid: number }).pid).not.toBe(pid);
  });

  it('keeps megabytes of output and a forked child from taking anything down; the child ends with the environment', async () => {
    expect(expectOk(await runtime.invoke('noisy', {})).result).toEqual({ ok: true });
    const log = logOf('noisy');
    expect(log.some((l) => l.startsWith('xxxx') && l.length === 256 * 1024)).toBe(true);
    expect(log).toContain('to stderr');
    const child = (expectOk(await runtime.invoke('fork', {})).result as { child: number }).child;
    expect(alive(child)).toBe(true);
    await runtime.updateFunction('fork', { memoryMB: 1024 });
    await until(() => !alive(child));
    expect(expectOk(await runtime.invoke('noisy', {})).cold).toBe(false);
  });
});


describe('the CPU-share model on a process', () => {
  it('stretches the process\'s CPU time to the memory size\'s share, as for a worker', async () => {
    const throttled = await createLambdaRuntime({
      metrics: new MetricStore(),
      logs: new LogStore(),
      cpuModel: 'throttle',
      functions: [fn('small', 'app.burn', join(root, 'app'), { memoryMB: 256 }), fn('whole', 'app.burn', join(root, 'app'), { memoryMB: 1769 })],
    });
    try {
      const work = { cpuSeconds: 0.04 };
      // warm first: INIT runs unthrottled, and the first call compiles
      for (const name of ['small', 'whole']) expectOk(await throttled.invoke(name, work));
      const small: number[] = [];
      const whole: number[] = [];
      for (let i = 0; i < 3; i++) {
        small.push(expectOk(await throttled.invoke('small', work)).durationMs);
        whole.push(expectOk(await throttled.invoke('whole', work)).durationMs);
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
      // 256 MB is 0.145 of a vCPU: 40 ms of CPU is stretched about 6.9 times; a full vCPU not at all.
      // A busy host's run-queue waits are credited against the stretch, never added to it: the
      // small size's invocation lasts its CPU times the stretch however busy the host (waits only
      // take the place of blocks it owed), so that bound holds on any host (0.8 of it: the 10 ms
      // ticks the throttle blocks in).
      expect(median(small)).toBeGreaterThan(0.8 * 40 * stretchFactor(256));
      // A loaded host also preempts the 1,769 MB run, by as much as it likes (under a CPU hog on
      // both cores its median was 200 ms): the two sizes' ratio says something only when that run
      // kept its core, and then it is well past 2x (the worker's test holds the same).
      if (median(whole) < 40 * 2) expect(median(small) / median(whole)).toBeGreaterThan(2);
    } finally {
      await throttled.close();
    }
  });
});
