import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { classifyLogEvent, FunctionErrorAccumulator } from '../../src/metrics/cloudwatch/function-errors.ts';
import { limitEvidence } from '../../src/diagnosis/limit-evidence.ts';
import { buildResults } from '../report/fixtures.ts';
import { expectError, until } from '../emulator/lambda-test-helpers.ts';

// A function that throws (Node.js) and one that raises (Python), invoked through the real Lambda
// runtime: the error lands in the function's log group as Lambda's runtimes write it (Node's
// `Invoke Error` line with the error's name, message, own properties and stack, in the Text and
// the JSON log formats; Python's `[ERROR] <Type>: <message>` with its traceback in one event),
// and the harness's reading of those events gives the first cause its words: the error's kind,
// message and the frame it was thrown from. A whole run saying a raised Python error as its
// first cause is test/e2e/run-own-words.test.ts's (GoneException, AccessDeniedException).
// Python is the host's python3 (PATH=/usr/bin:$PATH picks Debian's).

const NODE_APP = `class RoomFullError extends Error {
  constructor(room) {
    super(\`room \${room} is full\`);
    this.name = 'RoomFullError';
    this.room = room;
  }
}

function join(room) {
  throw new RoomFullError(room);
}

export const handler = async (event) => join(event.room);
`;

const PYTHON_APP = `class RoomFullError(Exception):
    pass


def join(room):
    raise RoomFullError("room %s is full" % room)


def handler(event, context):
    return join(event["room"])
`;

const root = mkdtempSync(join(tmpdir(), 'fanout-printed-tracebacks-'));
const logs = new LogStore();
let runtime: LambdaRuntime;

function code(name: string, file: string, text: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), text);
  return dir;
}

beforeAll(async () => {
  const node = code('node', 'app.mjs', NODE_APP);
  const python = code('python', 'app.py', PYTHON_APP);
  runtime = await createLambdaRuntime({
    metrics: new MetricStore(),
    logs,
    cpuModel: 'off',
    functions: [
      { name: 'node-throws', runtime: 'nodejs20.x', code: { kind: 'handler', dir: node, handler: 'app.handler' }, memoryMB: 512, timeoutSeconds: 5 },
      { name: 'node-throws-json', runtime: 'nodejs20.x', code: { kind: 'handler', dir: node, handler: 'app.handler' }, memoryMB: 512, timeoutSeconds: 5, logging: { format: 'JSON' } },
      { name: 'python-raises', runtime: 'python3.11', code: { kind: 'handler', dir: python, handler: 'app.handler' }, memoryMB: 512, timeoutSeconds: 5 },
    ],
  });
}, 30_000);

afterAll(async () => {
  await runtime?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The function's first log event holding `term`, once written. */
const eventOf = (fn: string, term: string) => until(() => logs.filter({ logGroupName: `/aws/lambda/${fn}`, limit: 10_000 })?.events.find((e) => e.message.includes(term)));

/** The first cause's words for these errors, as the verdict says them of a run whose send function logged them. */
function causeOf(errors: ReturnType<FunctionErrorAccumulator['errors']>): string {
  const r = buildResults();
  r.cloudwatch!.functionErrors = { 'fanout-send-message': errors };
  r.cloudwatch!.lambda['fanout-send-message']!.errors = errors.reduce((n, e) => n + e.count, 0);
  return limitEvidence(r, new Set(['errors'])).find((e) => e.factor === 'function-errors')!.line;
}

describe('printed tracebacks, through a real invocation', () => {
  it("Node.js, Text format: `Invoke Error` with the error's name, message, own properties and stack lines; the first cause quotes them with the frame it was thrown from", async () => {
    const out = expectError(await runtime.invoke('node-throws', { room: 'r9' }));
    expect(out).toMatchObject({ errorType: 'RoomFullError', errorMessage: 'room r9 is full' });
    const event = await eventOf('node-throws', '\tInvoke Error \t');
    const line = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t(\S+)\tERROR\tInvoke Error \t(\{.*\})$/.exec(event.message);
    expect(line, event.message).not.toBeNull();
    expect(line![2]).toBe(out.requestId);
    // as the runtime interface client's Errors.toFormatted: errorType, errorMessage, the error's own enumerable properties, then its stack as lines
    const logged = JSON.parse(line![3]!) as { stack: string[] };
    expect(Object.keys(logged)).toEqual(['errorType', 'errorMessage', 'name', 'room', 'stack']);
    expect(logged).toMatchObject({ errorType: 'RoomFullError', errorMessage: 'room r9 is full', name: 'RoomFullError', room: 'r9' });
    expect(logged.stack.slice(0, 3)).toEqual([
      'RoomFullError: room r9 is full',
      expect.stringMatching(/^ {4}at join \(file:\/\/\/\S+\/node\/app\.mjs:10:9\)$/),
      expect.stringMatching(/^ {4}at (Runtime\.)?handler \(file:\/\/\/\S+\/node\/app\.mjs:13:\d+\)$/),
    ]);
    // what the harness reads of it, and the words the first cause gives
    const said = classifyLogEvent(event.message);
    expect(said).toEqual({ kind: 'RoomFullError', message: 'room r9 is full', phase: 'invoke', firstFrame: 'app.mjs:10 (join)' });
    const errors = new FunctionErrorAccumulator();
    errors.add(said!, event.timestamp);
    expect(causeOf(errors.errors())).toMatch(/^fanout-send-message: 1 error in [\d,]+ invocations: RoomFullError: room r9 is full ×1 \(at app\.mjs:10 \(join\)\)$/);
  });

  it('Node.js, JSON format: the error as the message object, with errorType, errorMessage, stackTrace and its own properties', async () => {
    const out = expectError(await runtime.invoke('node-throws-json', { room: 'r7' }));
    const event = await eventOf('node-throws-json', '"level":"ERROR"');
    const logged = JSON.parse(event.message) as { message: { stackTrace: string[] } };
    expect(logged).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      level: 'ERROR',
      requestId: out.requestId,
      message: { errorType: 'RoomFullError', errorMessage: 'room r7 is full', stackTrace: expect.any(Array), name: 'RoomFullError', room: 'r7' },
    });
    expect(logged.message.stackTrace.slice(0, 2)).toEqual(['RoomFullError: room r7 is full', expect.stringMatching(/^ {4}at join \(file:\/\/\/\S+\/app\.mjs:10:9\)$/)]);
  });

  it("Python: `[ERROR] <Type>: <message>` and its traceback in one event, frames from the handler in; the first cause quotes it with the innermost frame", async () => {
    const out = expectError(await runtime.invoke('python-raises', { room: 'r9' }));
    expect(out).toMatchObject({ errorType: 'RoomFullError', errorMessage: 'room r9 is full' });
    const event = await eventOf('python-raises', '[ERROR] ');
    // Lambda's Python runtime: one event, its lines joined by carriage returns
    expect(event.message.split('\r')).toEqual([
      '[ERROR] RoomFullError: room r9 is full',
      'Traceback (most recent call last):',
      expect.stringMatching(/^ {2}File "\/\S+\/python\/app\.py", line 10, in handler$/),
      '    return join(event["room"])',
      expect.stringMatching(/^ {2}File "\/\S+\/python\/app\.py", line 6, in join$/),
      '    raise RoomFullError("room %s is full" % room)',
    ]);
    const said = classifyLogEvent(event.message);
    expect(said).toEqual({ kind: 'RoomFullError', message: 'room r9 is full', phase: 'invoke', firstFrame: 'app.py:6 in join' });
    const errors = new FunctionErrorAccumulator();
    errors.add(said!, event.timestamp);
    expect(causeOf(errors.errors())).toMatch(/^fanout-send-message: 1 error in [\d,]+ invocations: RoomFullError: room r9 is full ×1 \(at app\.py:6 in join\)$/);
  });
});
