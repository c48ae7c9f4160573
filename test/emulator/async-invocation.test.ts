import { afterEach, describe, expect, it } from 'vitest';
import { AsyncInvocations, type AsyncInvocationsOptions } from '../../emulator/lambda/async-invocation.ts';
import { destinationMessage, invocationRecord, type InvocationRecord } from '../../emulator/lambda/async-invocation-record.ts';
import { fixture, until } from './lambda-test-helpers.ts';
import { ACCOUNT, REGION, TestQueues, loggedJson, metricSum, runtimeBed } from './event-source-helpers.ts';

/**
 * Lambda's asynchronous invocation over the real runtime (fixture async-target.ts) and real SQS
 * queues as destinations and dead-letter queues. Retry delays and the throttle back-off are given
 * short; event age is read on a clock the test moves.
 */

const fn = (name: string, reservedConcurrency?: number) => ({
  name,
  entry: fixture('async-target.ts'),
  memoryMB: 128,
  timeoutSeconds: 10,
  environment: {},
  ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
});
const arnOf = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

// one environment each (reserved 1) where a test counts attempts; reserved 0 is always throttled
const bed = runtimeBed([fn('target', 1), fn('wide'), fn('never', 0)]);
const { metrics, logs } = bed;
let queues: TestQueues;
let invocations: AsyncInvocations | undefined;
let lines: Array<Record<string, unknown>>;
let offsetMs = 0;
let seq = 0;

afterEach(async () => {
  await invocations?.close();
  invocations = undefined;
  queues?.close();
});

function start(extra: Partial<AsyncInvocationsOptions> = {}): AsyncInvocations {
  queues = new TestQueues();
  lines = [];
  offsetMs = 0;
  invocations = new AsyncInvocations({
    runtime: bed.runtime,
    targets: queues.targets,
    metrics,
    log: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    region: REGION,
    accountId: ACCOUNT,
    retryDelaysMs: [30, 60],
    throttleBackoff: { initialMs: 10, maxMs: 40 },
    now: () => Date.now() + offsetMs,
    ...extra,
  });
  return invocations;
}

const id = (what: string) => `${what}-${++seq}-${Date.now()}`;

describe('asynchronous invocation', () => {
  it('accepts the event at once and runs it; OnSuccess gets the invocation record', async () => {
    const async = start();
    const success = queues.create('on-success');
    async.configure('target', { onSuccess: success.arn });
    const eventId = id('ok');
    const { requestId } = async.enqueue('target', JSON.stringify({ id: eventId, result: { answer: 42 } }));
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(async.stats().target).toMatchObject({ received: 1 });
    await async.drained();

    expect(async.stats().target).toMatchObject({ received: 1, invocations: 1, succeeded: 1, retries: 0, dropped: 0, destinationDeliveries: 1, queued: 0, inFlight: 0 });
    const [message] = await queues.drain(success);
    const record = JSON.parse(message!.body) as InvocationRecord;
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: { requestId, functionArn: `${arnOf('target')}:$LATEST`, condition: 'Success', approximateInvokeCount: 1 },
      requestPayload: { id: eventId, result: { answer: 42 } },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { answer: 42 },
    });
    expect(record.responseContext).not.toHaveProperty('functionError');
    expect(Date.parse(record.timestamp)).toBeGreaterThan(0);
    const dims = { FunctionName: 'target' };
    expect(metricSum(metrics, 'AWS/Lambda', 'AsyncEventsReceived', dims)).toBeGreaterThanOrEqual(1);
    const age = metrics.query({ namespace: 'AWS/Lambda', metricName: 'AsyncEventAge', dimensions: dims, stat: 'SampleCount', periodSeconds: 60, startTime: Date.now() - 600_000, endTime: Date.now() + 60_000 });
    expect(age.reduce((s, p) => s + p.value, 0)).toBeGreaterThanOrEqual(1);
  });

  it('retries a function error after the retry delay, and the retry can succeed', async () => {
    const async = start();
    const eventId = id('flaky');
    async.enqueue('target', JSON.stringify({ id: eventId, failTimes: 1 }));
    await async.drained();
    expect(async.stats().target).toMatchObject({ invocations: 2, functionErrors: 1, retries: 1, succeeded: 1, dropped: 0 });
    const attempts = () => loggedJson<{ id: string; attempt: number }>(logs, 'target', 'ASYNC').filter((l) => l.id === eventId).map((l) => l.attempt);
    await until(() => attempts().length >= 2);
    expect(attempts()).toEqual([1, 2]);
    expect(lines).toEqual([expect.objectContaining({ event: 'retry', functionName: 'target', attempt: 2, retryInMs: 30, reason: expect.stringContaining(`failing ${eventId} on attempt 1`) })]);
  });

  it('after MaximumRetryAttempts, OnFailure gets RetriesExhausted and the dead-letter queue the event', async () => {
    const async = start();
    const failure = queues.create('on-failure');
    const dlq = queues.create('dead-letters');
    async.configure('target', { onFailure: failure.arn, deadLetterArn: dlq.arn });
    const eventId = id('broken');
    const payload = JSON.stringify({ id: eventId, failTimes: 99 });
    const { requestId } = async.enqueue('target', payload);
    await async.drained();

    expect(async.stats().target).toMatchObject({ invocations: 3, functionErrors: 3, retries: 2, dropped: 1, droppedRetriesExhausted: 1, destinationDeliveries: 1, deadLettered: 1 });
    const [onFailure] = await queues.drain(failure);
    expect(JSON.parse(onFailure!.body)).toMatchObject({
      requestContext: { requestId, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { id: eventId, failTimes: 99 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: `failing ${eventId} on attempt 3` },
    });
    const [dead] = await queues.drain(dlq);
    expect(dead!.body).toBe(payload);
    expect(dead!.messageAttributes).toMatchObject({
      RequestID: { dataType: 'String', stringValue: requestId },
      ErrorCode: { dataType: 'Number', stringValue: '200' },
      ErrorMessage: { dataType: 'String', stringValue: `failing ${eventId} on attempt 3` },
    });
    expect(metricSum(metrics, 'AWS/Lambda', 'AsyncEventsDropped', { FunctionName: 'target' })).toBeGreaterThanOrEqual(1);
    expect(lines.filter((l) => l.event === 'retry')).toHaveLength(2);
    expect(lines.at(-1)).toMatchObject({ event: 'drop', condition: 'RetriesExhausted', requestId, runs: 3 });
  });

  it('MaximumRetryAttempts 0 runs a failing event once', async () => {
    const async = start({ configs: { target: { maximumRetryAttempts: 0 } } });
    async.enqueue('target', JSON.stringify({ id: id('once'), failTimes: 99 }));
    await async.drained();
    expect(async.stats().target).toMatchObject({ invocations: 1, retries: 0, dropped: 1 });
  });

  it('retries throttles with back-off until the event is older than MaximumEventAgeInSeconds', async () => {
    const async = start({ configs: { never: { maximumEventAgeSeconds: 60, deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:dlq-never' } } });
    const dlq = queues.create('dlq-never');
    const { requestId } = async.enqueue('never', JSON.stringify({ id: id('throttled') }));
    await until(() => async.stats().never!.throttles >= 3);
    expect(async.stats().never).toMatchObject({ dropped: 0, invocations: 0 });
    offsetMs = 61_000; // the event is now older than its 60 s
    await async.drained();
    expect(async.stats().never).toMatchObject({ dropped: 1, droppedEventAgeExceeded: 1, invocations: 0, deadLettered: 1 });
    const [dead] = await queues.drain(dlq);
    expect(dead!.messageAttributes.ErrorCode).toMatchObject({ stringValue: '429' });
    expect(dead!.messageAttributes.RequestID).toMatchObject({ stringValue: requestId });
    expect(lines.filter((l) => l.event === 'retry').every((l) => String(l.reason).startsWith('throttled'))).toBe(true);
    expect(lines.at(-1)).toMatchObject({ event: 'drop', condition: 'EventAgeExceeded', requestId });
  });

  it('an event older than its age when it comes up for a retry is dropped without another run', async () => {
    const failure = 'arn:aws:sqs:us-east-1:123456789012:aged-failures';
    const async = start({ configs: { target: { maximumEventAgeSeconds: 60, onFailure: failure } }, retryDelaysMs: [200, 200] });
    const aged = queues.create('aged-failures');
    async.enqueue('target', JSON.stringify({ id: id('aged'), failTimes: 99 }));
    await until(() => async.stats().target!.functionErrors >= 1);
    offsetMs = 120_000;
    await async.drained();
    expect(async.stats().target).toMatchObject({ invocations: 1, dropped: 1, droppedEventAgeExceeded: 1 });
    const [record] = await queues.drain(aged);
    expect(JSON.parse(record!.body)).toMatchObject({ requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 1 }, responseContext: { functionError: 'Unhandled' } });
  });

  it('runs a function with reserved concurrency 1 one event at a time, without throttles', async () => {
    const async = start();
    for (let i = 0; i < 3; i++) async.enqueue('target', JSON.stringify({ id: id('serial'), sleepMs: 100 }));
    expect(async.stats().target).toMatchObject({ inFlight: 1, queued: 2 });
    await async.drained();
    expect(async.stats().target).toMatchObject({ invocations: 3, succeeded: 3, throttles: 0 });
  });

  it('counts destination and dead-letter deliveries that fail', async () => {
    const async = start({ configs: { wide: { maximumRetryAttempts: 0, onFailure: 'arn:aws:sqs:us-east-1:123456789012:missing', deadLetterArn: 'arn:aws:sns:us-east-1:123456789012:missing' } } });
    async.enqueue('wide', JSON.stringify({ id: id('lost'), failTimes: 99 }));
    await async.drained();
    expect(async.stats().wide).toMatchObject({ dropped: 1, destinationFailures: 1, deadLetterErrors: 1, destinationDeliveries: 0, deadLettered: 0 });
    expect(metricSum(metrics, 'AWS/Lambda', 'DestinationDeliveryFailures', { FunctionName: 'wide' })).toBeGreaterThanOrEqual(1);
    expect(metricSum(metrics, 'AWS/Lambda', 'DeadLetterErrors', { FunctionName: 'wide' })).toBeGreaterThanOrEqual(1);
    expect(lines.map((l) => l.event)).toEqual(expect.arrayContaining(['drop', 'destination-failed', 'dead-letter-failed']));
  });

  it('is the Lambda part of ServiceTargets: a function ARN is an asynchronous invocation', async () => {
    const async = start();
    expect(async.has(arnOf('wide'))).toBe(true);
    expect(async.has(`${arnOf('wide')}:$LATEST`)).toBe(true);
    expect(async.has(arnOf('nope'))).toBe(false);
    expect(async.has('arn:aws:lambda:eu-west-1:123456789012:function:wide')).toBe(false);
    await async.deliver(arnOf('wide'), { body: JSON.stringify({ id: id('sns') }) }, { service: 'sns', arn: 'arn:aws:sns:us-east-1:123456789012:topic' });
    await async.drained();
    expect(async.stats().wide).toMatchObject({ received: 1, succeeded: 1 });
    await expect(async.deliver(arnOf('nope'), { body: '{}' }, { service: 'events', arn: 'x' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses what Invoke refuses: an unknown function, a payload that is not JSON or too large', () => {
    const async = start();
    expect(() => async.enqueue('nope', '{}')).toThrow(expect.objectContaining({ name: 'ResourceNotFoundException', status: 404 }));
    expect(() => async.enqueue('wide', '{not json')).toThrow(expect.objectContaining({ name: 'InvalidRequestContentException', status: 400 }));
    expect(() => async.enqueue('wide', JSON.stringify({ pad: 'x'.repeat(1_048_576) }))).toThrow(expect.objectContaining({ name: 'RequestEntityTooLargeException', status: 413 }));
    expect(async.stats().wide!.received).toBe(0);
  });

  it('an event bus destination gets EventBridge’s envelope with the record as detail', () => {
    const record = invocationRecord({ requestId: 'r-1', functionArn: arnOf('wide'), condition: 'RetriesExhausted', invokeCount: 3, event: { a: 1 }, timestamp: Date.parse('2026-01-02T03:04:05.678Z') });
    const bus = destinationMessage(`arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`, record, { region: REGION, accountId: ACCOUNT });
    expect(JSON.parse(bus.body)).toMatchObject({
      version: '0',
      id: expect.any(String),
      'detail-type': 'Lambda Function Invocation Result - Failure',
      source: 'lambda',
      account: ACCOUNT,
      region: REGION,
      time: '2026-01-02T03:04:05Z',
      resources: [`${arnOf('wide')}:$LATEST`],
      detail: { requestContext: { requestId: 'r-1', condition: 'RetriesExhausted', approximateInvokeCount: 3 }, requestPayload: { a: 1 } },
    });
    // a function that never ran (throttled until its age ran out) has no response
    expect(record).not.toHaveProperty('responseContext');
    const queue = destinationMessage(`arn:aws:sqs:${REGION}:${ACCOUNT}:q`, record, { region: REGION, accountId: ACCOUNT });
    expect(JSON.parse(queue.body)).toEqual(record);
  });

  it('close() abandons queued events, logging each', async () => {
    const async = start({ retryDelaysMs: [60_000] });
    async.enqueue('wide', JSON.stringify({ id: id('late'), failTimes: 99 }));
    await until(() => async.stats().wide!.retries >= 1);
    await async.close(1_000);
    expect(lines.at(-1)).toMatchObject({ event: 'drop', condition: 'Shutdown' });
    expect(() => async.enqueue('wide', '{}')).toThrow(expect.objectContaining({ name: 'ServiceException' }));
  });
});
