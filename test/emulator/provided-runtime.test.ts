import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { expectError, expectOk, until } from './lambda-test-helpers.ts';

// Custom runtimes (provided.al2023): the function's own executable `bootstrap` is the
// environment's process, and the emulator adds only the Runtime API and Lambda's variables. The
// bootstraps here are POSIX sh with curl, written for this test: one answers, reports errors and
// makes calls the Runtime API refuses (answered as Lambda answers them, seen from a real process);
// one reports an INIT error; one is not executable.

const root = mkdtempSync(join(tmpdir(), 'fanout-provided-runtime-'));

const LOOP = `#!/bin/sh
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
H="$(mktemp)"
echo "init: handler \${_HANDLER}, execution env '\${AWS_EXECUTION_ENV:-}', task root \${LAMBDA_TASK_ROOT}, cwd $(pwd), tz \${TZ}"
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
while true; do
  EVENT="$(curl -sS -D "$H" "$API/invocation/next")"
  ID="$(sed -n 's/^[Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d: *\\([^[:space:]]*\\).*/\\1/p' "$H")"
  DEADLINE="$(sed -n 's/^[Ll]ambda-[Rr]untime-[Dd]eadline-[Mm]s: *\\([0-9]*\\).*/\\1/p' "$H")"
  ARN="$(sed -n 's/^[Ll]ambda-[Rr]untime-[Ii]nvoked-[Ff]unction-[Aa]rn: *\\([^[:space:]]*\\).*/\\1/p' "$H")"
  case "$EVENT" in
    *wrong-calls*)
      NEXT="$(status "$API/invocation/next")"
      OTHER="$(status -X POST -d '{}' "$API/invocation/not-$ID/response")"
      INIT="$(status -X POST -d '{}' "$API/init/error")"
      curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "{\\"next\\":$NEXT,\\"otherId\\":$OTHER,\\"initError\\":$INIT}"
      AGAIN="$(status -X POST -d '{}' "$API/invocation/$ID/response")"
      echo "answered twice: $AGAIN"
      ;;
    *fail*)
      curl -sS -o /dev/null -X POST "$API/invocation/$ID/error" -H 'Lambda-Runtime-Function-Error-Type: Unhandled' \\
        -d '{"errorMessage":"the handler failed","errorType":"EchoError","stackTrace":[]}'
      ;;
    *crash*) exit 7 ;;
    *)
      curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "{\\"id\\":\\"$ID\\",\\"deadline\\":$DEADLINE,\\"arn\\":\\"$ARN\\",\\"event\\":$EVENT}"
      ;;
  esac
done
`;

const INIT_ERROR = `#!/bin/sh
curl -sS -o /dev/null -X POST "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/init/error" \\
  -H 'Lambda-Runtime-Function-Error-Type: Runtime.ConfigMissing' -d '{"errorMessage":"no configuration","errorType":"Runtime.ConfigMissing"}'
exit 1
`;

function bootstrap(name: string, text: string, mode = 0o755): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bootstrap'), text);
  chmodSync(join(dir, 'bootstrap'), mode);
  return dir;
}

/** go1.x: the Handler names the executable (a Go binary on Lambda; this sh loop speaks the same API). */
function goHandler(name: string, text: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'chat-handler'), text);
  chmodSync(join(dir, 'chat-handler'), 0o755);
  return dir;
}

const fn = (name: string, dir: string, timeoutSeconds = 5) => ({
  name,
  runtime: 'provided.al2023' as const,
  code: { kind: 'handler' as const, dir, handler: 'echo.handler' },
  memoryMB: 512,
  timeoutSeconds,
});

let runtime: LambdaRuntime;
let logs: LogStore;

beforeAll(async () => {
  expect(() => execFileSync('curl', ['--version'], { stdio: 'ignore' }), 'these bootstraps need curl: apt-get install curl').not.toThrow();
  logs = new LogStore();
  runtime = await createLambdaRuntime({
    metrics: new MetricStore(),
    logs,
    cpuModel: 'off',
    functions: [
      fn('echo', bootstrap('echo', LOOP)),
      fn('init-error', bootstrap('init-error', INIT_ERROR)),
      { name: 'go-echo', runtime: 'go1.x' as const, code: { kind: 'handler' as const, dir: goHandler('go-echo', LOOP), handler: 'chat-handler' }, memoryMB: 256, timeoutSeconds: 5 },
    ],
  });
}, 30_000);

afterAll(async () => {
  await runtime?.close();
  rmSync(root, { recursive: true, force: true });
});

const logOf = (name: string) => (logs.filter({ logGroupName: `/aws/lambda/${name}`, limit: 1000 })?.events ?? []).map((e) => e.message);

describe('a custom runtime (provided.al2023)', () => {
  it('runs the code\'s bootstrap with Lambda\'s variables and the invocation\'s headers; INIT until its first /next', async () => {
    const before = Date.now();
    const r = expectOk(await runtime.invoke('echo', { hello: 'world' }));
    expect(r.cold).toBe(true);
    expect(r.initDurationMs).toBeGreaterThan(0);
    const result = r.result as { id: string; deadline: number; arn: string; event: unknown };
    expect(result).toMatchObject({ id: r.requestId, arn: 'arn:aws:lambda:us-east-1:000000000000:function:echo', event: { hello: 'world' } });
    expect(result.deadline).toBeGreaterThanOrEqual(before + 5000);
    expect(result.deadline).toBeLessThanOrEqual(Date.now() + 5000);
    const log = logOf('echo');
    // AWS_EXECUTION_ENV is not set for OS-only runtimes, as on Lambda
    expect(log[0]).toBe(`init: handler echo.handler, execution env '', task root ${join(root, 'echo')}, cwd ${join(root, 'echo')}, tz :UTC`);
    expect(log.find((l) => l.startsWith('REPORT'))).toMatch(/\tMemory Size: 512 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t$/);
    expect(expectOk(await runtime.invoke('echo', { n: 2 })).cold).toBe(false);
  });

  it('answers a real runtime\'s wrong calls as Lambda does, and takes its error report', async () => {
    const r = expectOk(await runtime.invoke('echo', { probe: 'wrong-calls' }));
    expect(r.result).toEqual({ next: 403, otherId: 400, initError: 403 });
    await until(() => logOf('echo').includes('answered twice: 403'));
    const e = expectError(await runtime.invoke('echo', { probe: 'fail' }));
    expect(e).toMatchObject({ errorType: 'EchoError', errorMessage: 'the handler failed', cold: false });
  });

  it('reports a bootstrap that exits during an invocation as Runtime.ExitError, and one that posts an INIT error as it says', async () => {
    const e = expectError(await runtime.invoke('echo', { probe: 'crash' }));
    expect(e).toMatchObject({ errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/Error: Runtime exited with error: exit status 7$/) });
    // the crashed environment is gone: the next invocation is a cold start, its REPORT with Init Duration
    const after = expectOk(await runtime.invoke('echo', {}));
    expect(after.cold).toBe(true);
    await until(() => logOf('echo').some((l) => l.startsWith(`REPORT RequestId: ${after.requestId}`)));
    expect(logOf('echo').find((l) => l.startsWith(`REPORT RequestId: ${after.requestId}`))).toMatch(/\tInit Duration: [\d.]+ ms\t$/);
    const init = expectError(await runtime.invoke('init-error', {}));
    expect(init).toMatchObject({ errorType: 'Runtime.ConfigMissing', errorMessage: 'no configuration', cold: true });
    await until(() => logOf('init-error').some((l) => l.startsWith('INIT_REPORT')));
    expect(logOf('init-error').find((l) => l.startsWith('INIT_REPORT'))).toMatch(/\tStatus: error\tError Type: Runtime\.ConfigMissing\t$/);
  });

  it('refuses a bootstrap that is not executable, or missing, in one line naming the function', async () => {
    for (const [dir, why] of [
      [bootstrap('not-executable', LOOP, 0o644), 'is not executable'],
      [join(root, 'empty'), 'no executable bootstrap in'],
    ] as const) {
      mkdirSync(dir, { recursive: true });
      const err = await createLambdaRuntime({ metrics: new MetricStore(), logs: new LogStore(), functions: [fn('bad', dir)] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toContain(`function bad (provided.al2023): `);
      expect((err as Error).message).toContain(why);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('go1.x', () => {
  it('runs the executable its Handler names through the Runtime API, as a custom runtime its bootstrap, with AWS_EXECUTION_ENV set', async () => {
    const r = expectOk(await runtime.invoke('go-echo', { hello: 'go' }));
    expect(r).toMatchObject({ cold: true, result: { event: { hello: 'go' } } });
    expect(logOf('go-echo')[0]).toBe(`init: handler chat-handler, execution env 'AWS_Lambda_go1.x', task root ${join(root, 'go-echo')}, cwd ${join(root, 'go-echo')}, tz :UTC`);
  });

  it('refuses a Handler that names no executable, in one line naming the function', async () => {
    const err = await createLambdaRuntime({
      metrics: new MetricStore(),
      logs: new LogStore(),
      functions: [{ name: 'go-bad', runtime: 'go1.x', code: { kind: 'handler', dir: goHandler('go-bad', LOOP), handler: 'main' }, memoryMB: 128, timeoutSeconds: 3 }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`function go-bad (go1.x): no executable main in ${join(root, 'go-bad')} (go1.x runs the executable its Handler names)`);
  });
});
