import { describe, expect, it } from 'vitest';
import { mayBeEmf, parseEmfLine } from '../../emulator/cloudwatch/emf.ts';

const TS = 1_700_000_000_000;

describe('EMF parsing', () => {
  it('extracts every value for every dimension set', () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: TS,
        CloudWatchMetrics: [
          {
            Namespace: 'fanout',
            Dimensions: [['service'], ['service', 'route']],
            Metrics: [{ Name: 'FanoutMs', Unit: 'Milliseconds' }, { Name: 'Recipients' }],
          },
        ],
      },
      service: 'chat',
      route: 'sendMessage',
      FanoutMs: [12.5, 30],
      Recipients: 8,
    });
    expect(mayBeEmf(line)).toBe(true);
    const data = parseEmfLine(line, 0)!;
    expect(data).toHaveLength(6);
    expect(data.filter((d) => d.name === 'FanoutMs').map((d) => [d.value, d.dimensions])).toEqual([
      [12.5, { service: 'chat' }],
      [12.5, { service: 'chat', route: 'sendMessage' }],
      [30, { service: 'chat' }],
      [30, { service: 'chat', route: 'sendMessage' }],
    ]);
    expect(data[0]).toMatchObject({ namespace: 'fanout', unit: 'Milliseconds', timestamp: TS });
    expect(data.find((d) => d.name === 'Recipients')!.unit).toBeUndefined();
  });

  it('accepts the Lambda text prefix that console.log adds', () => {
    const json = JSON.stringify({ _aws: { Timestamp: TS, CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [[]], Metrics: [{ Name: 'm' }] }] }, m: 1 });
    const data = parseEmfLine(`2026-11-21T00:00:00.000Z\tabc-123\tINFO\t${json}`, 0)!;
    expect(data).toEqual([{ namespace: 'n', name: 'm', dimensions: {}, value: 1, unit: undefined, timestamp: TS }]);
  });

  it('rejects malformed EMF and ignores non-numeric values', () => {
    expect(parseEmfLine('{"_aws": {"CloudWatchMetrics": "no"}}', 0)).toBeUndefined();
    expect(parseEmfLine('not json {"_aws"', 0)).toBeUndefined();
    // a dimension naming a missing field invalidates the event
    const missingDim = { _aws: { Timestamp: TS, CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [['svc']], Metrics: [{ Name: 'm' }] }] }, m: 1 };
    expect(parseEmfLine(JSON.stringify(missingDim), 0)).toBeUndefined();
    const text = { _aws: { Timestamp: TS, CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [], Metrics: [{ Name: 'm' }] }] }, m: 'fast' };
    expect(parseEmfLine(JSON.stringify(text), 0)).toEqual([]);
    const noTs = { _aws: { CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [], Metrics: [{ Name: 'm' }] }] }, m: 2 };
    expect(parseEmfLine(JSON.stringify(noTs), 42)![0].timestamp).toBe(42);
  });
});
