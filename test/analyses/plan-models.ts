import type { FunctionWork, WorkModel } from '../../src/analyses/plan/plan-schema.ts';

/**
 * Hand-made work models for the plan's arithmetic tests: one function per operation it is
 * counted per, invoked once per operation, measured on AWS in one run (r1, rooms of 10), with
 * the figures each test works by hand given in its own overrides.
 */
export function handFunction(name: string, route: string, per: FunctionWork['per'], billedMsPer: number, o: Partial<FunctionWork> = {}): FunctionWork {
  return {
    name,
    route,
    per,
    invocationsPer: 1,
    billedMsPer,
    billedMsPerUnit: per === 'message' ? 'recipient' : 'invocation',
    measuredMemoryMB: o.memoryMB ?? 256,
    memoryMB: 256,
    invocationsSource: 'report-lines',
    billedSource: 'report-lines',
    p99Ms: null,
    p99AtRecipients: o.p99Ms === undefined || o.p99Ms === null ? null : 10,
    initBilledMsPerColdStart: null,
    coldStarts: 0,
    runs: ['r1'],
    measuredOn: ['aws'],
    ...o,
  };
}

/** A model of `functions` from one run of 10 connects, 1 room, 10 joins and 10 messages to rooms of 10. */
export function handModel(functions: FunctionWork[], o: { payloadBytes?: number; bytesPerPost?: number } = {}): WorkModel {
  return {
    runs: [{ runId: 'r1', file: 'r1/results.json', measuredOn: 'aws', cloudwatchSource: 'aws', durationSec: 60, roomSize: 10, payloadBytes: o.payloadBytes ?? 1000 }],
    counts: { connects: 10, rooms: 1, joins: 10, messages: 10, recipients: 100 },
    functions,
    dynamodb: { source: 'cloudwatch', readScale: 1, writeScale: 1, perOperation: [], gonePerMessage: 0, runs: ['r1'] },
    posts: { perRecipient: 1, source: 'cloudwatch', runs: ['r1'] },
    bytes: { perPost: o.bytesPerPost ?? 1250, source: 'client', runs: ['r1'] },
    joinsPerConnect: 1,
    notes: [],
  };
}
