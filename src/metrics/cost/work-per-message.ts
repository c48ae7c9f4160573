import type { CloudWatchResults } from '../../contracts/cloudwatch-schema.ts';
import type { BenchFunction } from '../../contracts/reference-functions.ts';
import { runFunctions } from './run-functions.ts';
import type { Results } from '../../contracts/results-schema.ts';
import type { DynamoDbWork, LambdaWork } from '../../contracts/work-schema.ts';

/**
 * The run's work per message and per 1,000 deliveries, from what CloudWatch reported: DynamoDB
 * units (every table and global index) and Lambda GB-seconds (Duration × memory). Pure. A
 * message is one the harness sent; the units are the whole run's (connects, joins and
 * disconnects included), so a change to any route shows, and a Query turned into a Scan shows as
 * a jump in read units per message.
 */
export type WorkInput = Pick<Results, 'cloudwatch' | 'sends' | 'deliveries'>;

const per = (n: number, d: number, scale = 1) => (d > 0 ? (n / d) * scale : null);

function usable(results: WorkInput): CloudWatchResults | undefined {
  const cw = results.cloudwatch;
  return cw && cw.status !== 'unavailable' ? cw : undefined;
}

/** Undefined when no DynamoDB metrics were pulled, or none showed any request or unit. */
export function dynamoDbWork(results: WorkInput): DynamoDbWork | undefined {
  const tables = usable(results)?.dynamodb;
  if (!tables) return undefined;
  let readUnits = 0;
  let writeUnits = 0;
  let requests = 0;
  for (const t of Object.values(tables)) {
    readUnits += t.readUnits;
    writeUnits += t.writeUnits;
    for (const i of Object.values(t.indexes)) {
      readUnits += i.readUnits;
      writeUnits += i.writeUnits;
    }
    for (const o of Object.values(t.operations)) requests += o.requests + o.throttled;
  }
  if (readUnits === 0 && writeUnits === 0 && requests === 0) return undefined;
  const messages = results.sends.sent;
  const deliveries = results.deliveries.received;
  return {
    source: 'cloudwatch',
    tables,
    readUnits,
    writeUnits,
    messages,
    deliveries,
    readUnitsPerMessage: per(readUnits, messages),
    writeUnitsPerMessage: per(writeUnits, messages),
    readUnitsPer1000Deliveries: per(readUnits, deliveries, 1000),
    writeUnitsPer1000Deliveries: per(writeUnits, deliveries, 1000),
  };
}

/**
 * Duration × memory per function: from REPORT lines when every line was read (their Memory Size
 * is the deployed one), else from CloudWatch (Invocations × average Duration, the memory the
 * run's target says each function has). Undefined when neither has an invocation.
 */
export function lambdaWork(results: WorkInput & Pick<Results, 'config'>, functions: readonly BenchFunction[] = runFunctions(results)): LambdaWork | undefined {
  const cw = usable(results);
  if (!cw) return undefined;
  const out: LambdaWork['functions'] = {};
  let fromReports = true;
  for (const fn of functions) {
    const report = cw.reports[fn.name];
    const metrics = cw.lambda[fn.name];
    let invocations: number;
    let durationMs: number;
    let memoryMB = fn.memoryMB;
    if (report && report.invocations > 0 && !report.truncated) {
      invocations = report.invocations;
      durationMs = report.durationMsTotal;
      memoryMB = report.memorySizeMB ?? fn.memoryMB;
    } else if (metrics && metrics.invocations > 0 && metrics.durationAvgMs !== null) {
      fromReports = false;
      invocations = metrics.invocations;
      durationMs = metrics.invocations * metrics.durationAvgMs;
    } else {
      continue;
    }
    out[fn.name] = { invocations, durationMs, memoryMB, gbSeconds: (durationMs / 1000) * (memoryMB / 1024) };
  }
  const names = Object.keys(out);
  if (names.length === 0) return undefined;
  const gbSeconds = names.reduce((n, k) => n + out[k].gbSeconds, 0);
  const messages = results.sends.sent;
  const deliveries = results.deliveries.received;
  return {
    source: fromReports ? 'report-lines' : 'cloudwatch',
    functions: out,
    gbSeconds,
    messages,
    deliveries,
    gbSecondsPerMessage: per(gbSeconds, messages),
    gbSecondsPer1000Deliveries: per(gbSeconds, deliveries, 1000),
  };
}
