import { afterAll, afterEach, beforeAll } from 'vitest';
import { AwsApiError } from '../../emulator/cloudwatch/aws-json.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import type { ServiceTargets } from '../../emulator/service-targets.ts';
import { QUEUE_DEFAULTS } from '../../emulator/sqs/queue-attributes.ts';
import { SqsQueue, type QueueSettings } from '../../emulator/sqs/sqs-queue.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

/** The real Lambda runtime of a test file, started before its tests and closed after them, with the metric and log stores it writes to. */
export interface RuntimeBed {
  readonly metrics: MetricStore;
  readonly logs: LogStore;
  /** set once the file's tests start */
  readonly runtime: LambdaRuntime;
}

/**
 * The mappings a test file's tests start, each test's stopped after it (2 s for batches under
 * way), then `after()` (the test's queues closed).
 */
export function mappingsStoppedAfterEach<M extends { stop(boundMs: number): Promise<void> }>(after: () => void): M[] {
  const started: M[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((m) => m.stop(2_000)));
    after();
  });
  return started;
}

/** Registers the file's beforeAll/afterAll: the runtime over `functions` (CPU model off), in REGION and ACCOUNT. */
export function runtimeBed(functions: Parameters<typeof createLambdaRuntime>[0]['functions']): RuntimeBed {
  const bed = { metrics: new MetricStore(), logs: new LogStore(), runtime: undefined as LambdaRuntime | undefined };
  beforeAll(async () => {
    bed.runtime = await createLambdaRuntime({ metrics: bed.metrics, logs: bed.logs, cpuModel: 'off', region: REGION, accountId: ACCOUNT, functions });
  });
  afterAll(async () => {
    await bed.runtime?.close();
  });
  return {
    metrics: bed.metrics,
    logs: bed.logs,
    get runtime() {
      if (!bed.runtime) throw new Error('the runtime starts before the tests');
      return bed.runtime;
    },
  };
}

/**
 * Real SQS queues (emulator/sqs/sqs-queue.ts) for the tests of Lambda's asynchronous invocation and
 * event source mappings, and a ServiceTargets over them. The stack's own ServiceTargets (composed
 * over every service in emulator/stack.ts) is being written by the integrator at the same time;
 * this one delivers to these queues only, as SQS's SendMessage would.
 */
export class TestQueues {
  readonly byArn = new Map<string, SqsQueue>();

  create(name: string, settings: Partial<QueueSettings> = {}): SqsQueue {
    const fifo = name.endsWith('.fifo');
    const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
    const queue = new SqsQueue(
      {
        name,
        arn,
        fifo,
        contentBasedDeduplication: fifo,
        ...QUEUE_DEFAULTS,
        extra: {},
        ...settings,
      },
      { now: () => Date.now(), queueByArn: (a) => this.byArn.get(a), metric: () => {} },
    );
    this.byArn.set(arn, queue);
    return queue;
  }

  readonly targets: ServiceTargets = {
    deliver: async (arn, message) => {
      const queue = this.byArn.get(arn);
      if (!queue) throw new AwsApiError('AWS.SimpleQueueService.NonExistentQueue', `The specified queue does not exist: ${arn}`);
      queue.send({ body: message.body, ...(message.attributes ? { attributes: message.attributes } : {}), ...(message.groupId ? { groupId: message.groupId } : {}), senderId: 'AROAEXAMPLE:lambda' });
    },
    has: (arn) => this.byArn.has(arn),
  };

  /** Receive whatever is visible now (no wait), up to `max`. */
  async drain(queue: SqsQueue, max = 10): Promise<Awaited<ReturnType<SqsQueue['receive']>>> {
    return queue.receive(max, 0);
  }

  close(): void {
    for (const q of this.byArn.values()) q.close();
  }
}

/** Lines a function logged that start with `marker` (its console.log), parsed as JSON, oldest first. */
export function loggedJson<T>(logs: LogStore, functionName: string, marker: string): T[] {
  const page = logs.filter({ logGroupName: `/aws/lambda/${functionName}` });
  const out: T[] = [];
  for (const e of page?.events ?? []) {
    const at = e.message.indexOf(`${marker} `);
    if (at >= 0) out.push(JSON.parse(e.message.slice(at + marker.length + 1).trim()) as T);
  }
  return out;
}

/** The sum of a metric's data points in the last hour. */
export function metricSum(metrics: MetricStore, namespace: string, metricName: string, dimensions: Record<string, string>): number {
  return metrics
    .query({ namespace, metricName, dimensions, stat: 'Sum', periodSeconds: 60, startTime: Date.now() - 3_600_000, endTime: Date.now() + 60_000 })
    .reduce((s, p) => s + p.value, 0);
}
