import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../fixtures/gateway/clients.ts';

// `fanout-bench stack up` as a user runs it: a child process, one JSON line on stdout.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
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

function stackUp(args: string[], stdin: 'ignore' | 'pipe' = 'ignore'): Run {
  const child = spawn(process.execPath, ['bin/fanout-bench.js', 'stack', 'up', ...args], {
    cwd: ROOT,
    stdio: [stdin, 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
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
    const run = stackUp(['--port', '0', '--stage', 'cli', '--memory', 'fanout-whoami=512']);
    const ready = JSON.parse(await firstLine(run));
    expect(Object.keys(ready).sort()).toEqual(
      ['apiId', 'callbackUrl', 'cloudwatchEndpoint', 'dynamodbEndpoint', 'ready', 'region', 'stage', 'websocketUrl'].sort(),
    );
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
    expect(await run.exited).toBe(0);
    expect((await c.closed).code).toBe(1001);
    expect(run.stdout().trimEnd().split('\n')).toHaveLength(1);
  });

  it('with --exit-with-stdin stops by itself when its parent goes away (stdin closes)', async () => {
    const run = stackUp(['--port', '0', '--exit-with-stdin'], 'pipe');
    const ready = JSON.parse(await firstLine(run));
    const c = await connect(ready.websocketUrl);
    // the parent (the harness's local target) dying closes this pipe; nothing else signals the stack.
    // Orphaned, it ends at once (the kernel kills it: no close frames, nobody is left to read them).
    run.child.stdin!.end();
    expect(await run.exited).toBeNull();
    expect(run.child.signalCode).toBe('SIGKILL');
    expect((await c.closed).code).toBe(1006);
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
    const dir = mkdtempSync(join(tmpdir(), 'fanout-cli-'));
    const file = join(dir, 'stack.yaml');
    writeFileSync(file, 'limits:\n  maxMessageBytes: lots\n');
    const run = stackUp(['--config', file]);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(new RegExp(`^fanout-bench: ${file}: limits\\.maxMessageBytes: [^\\n]+\\n$`));
  });

  it('names the flag of a bad flag value and exits 2', async () => {
    const run = stackUp(['--lost-disconnect-share', '1.5']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/^fanout-bench: --lost-disconnect-share: faults\.lostDisconnectShare: [^\n]+\n$/);
    const throttle = stackUp(['--dynamodb-throttle-share', '-0.1']);
    expect(await throttle.exited).toBe(2);
    expect(throttle.stderr()).toMatch(/^fanout-bench: --dynamodb-throttle-share: faults\.dynamodbThrottleShare: [^\n]+\n$/);
    const bad = stackUp(['--memory', 'fanout-nope=256']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/^fanout-bench: --memory: functions\.fanout-nope: unknown function "fanout-nope"/);
  });
});
