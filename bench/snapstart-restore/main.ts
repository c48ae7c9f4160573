import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';

/**
 * A SnapStart restore against an on-demand INIT on this host (issue 68), for a Python 3.12
 * function whose module imports boto3 and builds a client at INIT (what a real handler does): N
 * rounds, each a runtime of its own with one cold start of `$LATEST` (an INIT on the request path:
 * `Init Duration`) and one of its SnapStart version 1 (a fork of the snapshot: `Restore Duration`).
 * Prints the p50 and max of each from the REPORT lines, and of the snapshot's own INIT (at
 * publish). The restore here is a fork; Lambda's adds the snapshot's load.
 *
 *   <node> --import tsx bench/snapstart-restore/main.ts [N=8]
 */
const N = Number(process.argv[2] ?? 8);
const dir = mkdtempSync(join(tmpdir(), 'fanout-bench-snapstart-'));
writeFileSync(
  join(dir, 'app.py'),
  [
    'import boto3',
    'from snapshot_restore_py import register_after_restore',
    'CLIENT = boto3.client("dynamodb", region_name="us-east-1")',
    'restored = []',
    'register_after_restore(restored.append, True)',
    'def handler(event, context):',
    '    return {"restored": len(restored)}',
    '',
  ].join('\n'),
);
const inits: number[] = [];
const restores: number[] = [];
const snapshots: number[] = [];
const ms = (message: string, name: string) => Number(new RegExp(`${name}: ([\\d.]+) ms`).exec(message)?.[1]);
try {
  for (let round = 0; round < N; round++) {
    const logs = new LogStore();
    const lambda = await createLambdaRuntime({
      cpuModel: 'off',
      preparedPerFunction: 0,
      metrics: new MetricStore(),
      logs,
      functions: [{ name: 'snap', runtime: 'python3.12', code: { kind: 'handler', dir, handler: 'app.handler' }, memoryMB: 1769, timeoutSeconds: 30, snapStart: 'PublishedVersions', versions: [{}] }],
    });
    try {
      snapshots.push((await lambda.snapshots('snap'))[0]!.initMs);
      await lambda.invoke('snap', {});
      await lambda.invoke('snap', {}, { qualifier: '1' });
      await new Promise((r) => setTimeout(r, 50));
      for (const e of logs.filter({ logGroupName: '/aws/lambda/snap', filterPattern: '"REPORT RequestId"' })?.events ?? []) {
        if (e.message.includes('Init Duration')) inits.push(ms(e.message, 'Init Duration'));
        if (e.message.includes('Restore Duration')) restores.push(ms(e.message, 'Restore Duration'));
      }
    } finally {
      await lambda.close();
    }
  }
  const summary = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `p50 ${s[Math.floor((s.length - 1) / 2)]!.toFixed(1)} ms, max ${s.at(-1)!.toFixed(1)} ms (${s.length})`;
  };
  console.log(`Node ${process.versions.node}, ${N} rounds: INIT on demand ${summary(inits)}; SnapStart restore ${summary(restores)}; the snapshot's INIT at publish ${summary(snapshots)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
