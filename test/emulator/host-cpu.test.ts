import { describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack } from '../../emulator/stack.ts';
import type { HostCpuReport } from '../../emulator/host-cpu.ts';
import { connect } from '../fixtures/gateway/clients.ts';

describe('host CPU accounting', () => {
  it('logs, when the stack stops, the CPU its main thread, each function\'s environments, DynamoDB and other threads used', async () => {
    const lines: string[] = [];
    const stack = await startStack({ config: defaultStackConfig({ lambda: { preparedPerFunction: 1 } }), log: (l) => lines.push(l) });
    const client = await connect(stack.ready.websocketUrl);
    client.send({ action: 'createRoom', room: 'cpu' });
    await client.take((f) => f.type === 'roomCreated', 30_000);
    client.close();
    await stack.close();

    const line = lines.find((l) => l.startsWith('stack: host-cpu '));
    expect(line).toBeDefined();
    const report = JSON.parse(line!.slice('stack: host-cpu '.length)) as HostCpuReport;
    expect(report.totalMs).toBeGreaterThan(0);
    expect(report.mainThreadMs).toBeGreaterThan(0);
    // Every function prepared one environment (boot + INIT on its thread); two of them ran.
    expect(Object.keys(report.environments)).toHaveLength(10);
    for (const env of Object.values(report.environments)) expect(env.initMs).toBeGreaterThan(0);
    for (const fn of ['fanout-connect', 'fanout-create-room']) {
      expect(report.environments[fn]).toMatchObject({ coldStarts: 1, preparedColdStarts: 1, hostCapWaits: 0 });
      expect(report.environments[fn]!.invokeMs).toBeGreaterThan(0);
    }
    const envMs = Object.values(report.environments).reduce((a, e) => a + e.initMs + e.invokeMs, 0);
    // createRoom wrote to DynamoDB: its thread worked (table creation at start-up, too).
    expect(report.dynamodbMs).toBeGreaterThan(0);
    expect(report.mainThreadMs + envMs + report.dynamodbMs + report.otherThreadsMs).toBeCloseTo(report.totalMs, -1);
  });
});
