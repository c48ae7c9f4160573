import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import type { FunctionDefinition } from '../../emulator/lambda/options.ts';
import { AwsApiError } from '../../emulator/cloudwatch/aws-json.ts';
import { expectOk, until } from './lambda-test-helpers.ts';

/**
 * SnapStart for Python as Lambda runs it: a published version's INIT runs once, at publish, with
 * its before-snapshot hooks; each new environment of the version is restored from that state (what
 * INIT drew, `random`'s state, shared by every restore), runs the after-restore hooks, and reports
 * its cold start as `Restore Duration`, never `Init Duration`. Real python3 processes.
 */
const root = mkdtempSync(join(tmpdir(), 'fanout-snapstart-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const APP = `
import os, random, time, uuid
from snapshot_restore_py import register_before_snapshot, register_after_restore

INIT_ID = uuid.uuid4().hex
INIT_PID = os.getpid()
random.seed()
order = []
restores = {"count": 0, "pid": None}

@register_before_snapshot
def first_registered():
    order.append("first")

@register_before_snapshot
def second_registered():
    order.append("second")

def after(label):
    restores["count"] += 1
    restores["pid"] = os.getpid()
    restores["label"] = label

register_after_restore(after, "restored")

def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return {
        "initId": INIT_ID,
        "random": random.random(),
        "order": order,
        "restores": restores,
        "pid": os.getpid(),
        "initPid": INIT_PID,
        "initType": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"),
        "version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION"),
        "stream": os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME"),
        "group": os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME"),
        "tmp": os.environ.get("TMPDIR"),
    }
`;

function code(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const app = code('app', { 'app.py': APP });
const fn = (extra: Partial<FunctionDefinition> = {}, dir = app, handler = 'app.handler'): FunctionDefinition => ({
  name: 'snap',
  runtime: 'python3.12',
  code: { kind: 'handler', dir, handler },
  memoryMB: 512,
  timeoutSeconds: 5,
  snapStart: 'PublishedVersions',
  versions: [{}],
  aliases: [{ name: 'live', version: 1 }],
  ...extra,
});

let runtime: LambdaRuntime | undefined;
let logs: LogStore;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

async function start(definition: FunctionDefinition): Promise<LambdaRuntime> {
  logs = new LogStore();
  runtime = await createLambdaRuntime({ metrics: new MetricStore(), logs, cpuModel: 'off', functions: [definition] });
  return runtime;
}

const messages = (filterPattern: string) => (logs.filter({ logGroupName: '/aws/lambda/snap', filterPattern })?.events ?? []).map((e) => e.message);

type Answer = { initId: string; random: number; order: string[]; restores: { count: number; pid: number; label: string }; pid: number; initPid: number; initType: string; version: string; stream: string | null; group: string | null; tmp: string };

describe('SnapStart on a Python function', () => {
  it('restores each environment of a version from one INIT: what INIT drew is shared, the hooks run, the cold start is a restore', async () => {
    const rt = await start(fn());
    // two at once: two environments, both restored from the snapshot
    const both = await Promise.all([0, 1].map(() => rt.invoke('snap', { sleep: 0.2 }, { qualifier: 'live' })));
    const answers = both.map((o) => expectOk(o).result as Answer);
    expect(both.every((o) => expectOk(o).cold)).toBe(true);
    // a restore is no INIT: billed as its REPORT line bills it, Duration alone
    for (const o of both.map(expectOk)) {
      expect(o.initDurationMs).toBeUndefined();
      expect(o.billedDurationMs).toBe(Math.ceil(o.durationMs));
    }
    const [a, b] = answers as [Answer, Answer];
    expect(a.pid).not.toBe(b.pid);
    // one INIT, in another process: its id and its random state are every restore's
    expect(a.initId).toBe(b.initId);
    expect(a.random).toBe(b.random);
    expect(a.initPid).not.toBe(a.pid);
    // before-snapshot hooks in reverse order of registration, once; the after-restore hook in each environment, with its arguments
    expect(a.order).toEqual(['second', 'first']);
    expect(a.restores).toEqual({ count: 1, pid: a.pid, label: 'restored' });
    expect(b.restores).toEqual({ count: 1, pid: b.pid, label: 'restored' });
    expect(a).toMatchObject({ initType: 'snap-start', version: '1', stream: null, group: null });
    expect(a.tmp).not.toBe(b.tmp);

    // warm: the same environment, no restore
    const warm = expectOk(await rt.invoke('snap', {}, { qualifier: 'live' }));
    expect(warm.cold).toBe(false);
    expect((warm.result as Answer).restores.count).toBe(1);

    // the logs: one INIT_REPORT (the snapshot's), a RESTORE_REPORT per environment, Restore Duration on their first REPORT lines only
    await until(() => messages('"REPORT RequestId"').length === 3);
    const reports = messages('"REPORT RequestId"');
    expect(reports.filter((r) => /Restore Duration: \d+\.\d\d ms\tBilled Restore Duration: \d+ ms\t/.test(r))).toHaveLength(2);
    expect(reports.some((r) => r.includes('Init Duration'))).toBe(false);
    expect(messages('INIT_REPORT')).toEqual([expect.stringMatching(/^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: success\t$/)]);
    expect(messages('RESTORE_REPORT')).toHaveLength(2);
    expect(messages('"START RequestId"').every((m) => m.endsWith('Version: 1'))).toBe(true);
  });

  it('leaves $LATEST on demand: its INIT on the request path, no hooks', async () => {
    const rt = await start(fn());
    const out = expectOk(await rt.invoke('snap', {}));
    expect(out.cold).toBe(true);
    const answer = out.result as Answer;
    expect(answer).toMatchObject({ initType: 'on-demand', version: '$LATEST', order: [], restores: { count: 0 } });
    expect(answer.initPid).toBe(answer.pid);
    await until(() => messages('"REPORT RequestId"').some((r) => r.includes('Init Duration')));
  });

  it("fails a restore whose after-restore hook raises, as Lambda's runtime reports it, and a version whose before-snapshot hook raises", async () => {
    const hooks = code('hooks', {
      'after.py': 'from snapshot_restore_py import register_after_restore\n@register_after_restore\ndef boom():\n    raise ValueError("no connection")\ndef handler(event, context):\n    return 1\n',
      'before.py': 'from snapshot_restore_py import register_before_snapshot\n@register_before_snapshot\ndef boom():\n    raise KeyError("secret")\ndef handler(event, context):\n    return 1\n',
    });
    let rt = await start(fn({}, hooks, 'after.handler'));
    const after = await rt.invoke('snap', {}, { qualifier: 'live' });
    expect(after).toMatchObject({ kind: 'error', errorType: 'Runtime.AfterRestoreError', errorMessage: 'no connection' });
    await until(() => messages('RESTORE_REPORT').length === 1);
    expect(messages('RESTORE_REPORT')[0]).toMatch(/^RESTORE_REPORT Restore Duration: \d+\.\d\d ms\tStatus: error\tError Type: Runtime\.AfterRestoreError\t$/);
    expect(messages('"[ERROR] Runtime.AfterRestoreError: no connection"')).toHaveLength(1);
    await rt.close();

    rt = await start(fn({}, hooks, 'before.handler'));
    const before = await rt.invoke('snap', {}, { qualifier: 'live' });
    expect(before).toMatchObject({ kind: 'error', errorType: 'Runtime.BeforeSnapshotError', errorMessage: "'secret'" });
    expect(messages('INIT_REPORT')[0]).toMatch(/Status: error\tError Type: Runtime\.BeforeSnapshotError\t$/);
    // the version Lambda could take no snapshot of is Failed, with the function's error; $LATEST is not a snapshot
    expect(rt.versionState('snap', '1')).toEqual({ state: 'Failed', reasonCode: 'FunctionError', reason: "Runtime.BeforeSnapshotError: 'secret'" });
    expect(rt.versionState('snap', '$LATEST')).toEqual({ state: 'Active' });
  });

  it("writes the restore as the JSON log format's platform events, with the report's restore metrics", async () => {
    await start(fn({ logging: { format: 'JSON' } }));
    expectOk(await runtime!.invoke('snap', {}, { qualifier: 'live' }));
    await until(() => messages('"platform.report"').length === 1);
    const types = (logs.filter({ logGroupName: '/aws/lambda/snap' })?.events ?? []).flatMap((e) => (e.message.startsWith('{"time"') ? [JSON.parse(e.message) as { type: string; record: Record<string, unknown> }] : []));
    expect(types.find((e) => e.type === 'platform.initReport')!.record).toMatchObject({ initializationType: 'snap-start', phase: 'init', status: 'success' });
    expect(types.find((e) => e.type === 'platform.restoreStart')!.record).toEqual({ functionName: 'snap', functionVersion: '1' });
    expect(types.find((e) => e.type === 'platform.restoreReport')!.record).toMatchObject({ status: 'success', metrics: { durationMs: expect.any(Number) } });
    const metrics = types.find((e) => e.type === 'platform.report')!.record.metrics as Record<string, number>;
    expect(metrics.restoreDurationMs).toBeGreaterThan(0);
    expect(metrics.billedRestoreDurationMs).toBeGreaterThanOrEqual(1);
    expect(metrics.initDurationMs).toBeUndefined();
  });

  it('fails a restore whose after-restore hooks pass 10 s with SnapStartTimeoutException', { timeout: 30_000 }, async () => {
    const slow = code('slow', { 'slow.py': 'import time\nfrom snapshot_restore_py import register_after_restore\nregister_after_restore(time.sleep, 60)\ndef handler(event, context):\n    return 1\n' });
    const rt = await start(fn({}, slow, 'slow.handler'));
    const out = await rt.invoke('snap', {}, { qualifier: 'live' });
    expect(out).toMatchObject({ kind: 'error', errorType: 'SnapStartTimeoutException', errorMessage: "Lambda couldn't restore the snapshot within the timeout limit." });
    await until(() => messages('RESTORE_REPORT').length === 1);
    expect(messages('RESTORE_REPORT')[0]).toMatch(/\tStatus: timeout\t$/);
  });

  it('refuses to invoke a version published with SnapStart while its snapshot is taken (Pending), and runs it once Active', async () => {
    const gate = join(root, 'gate-open');
    const slow = code('gated', { 'gated.py': `import os, time\nfrom snapshot_restore_py import register_before_snapshot\n@register_before_snapshot\ndef wait_for_gate():\n    for _ in range(1000):\n        if os.path.exists(${JSON.stringify(gate)}):\n            return\n        time.sleep(0.01)\ndef handler(event, context):\n    return "restored"\n` });
    const rt = await start(fn({ versions: [], aliases: [] }, slow, 'gated.handler'));
    const version = rt.publishVersion('snap');
    expect(rt.versionState('snap', version)).toEqual({ state: 'Pending' });
    await expect(rt.invoke('snap', {}, { qualifier: version })).rejects.toThrow(new AwsApiError('ResourceConflictException', 'The operation cannot be performed at this time. The function is currently in the following state: Pending', 409));
    writeFileSync(gate, '');
    await until(() => rt.versionState('snap', version).state === 'Active');
    expect(expectOk(await rt.invoke('snap', {}, { qualifier: version })).result).toBe('restored');
  });

  it('refuses provisioned concurrency on a SnapStart version, in Lambda\'s words', async () => {
    const rt = await start(fn());
    expect(() => rt.putProvisionedConcurrency('snap', 'live', 1)).toThrow(new AwsApiError('InvalidParameterValueException', 'Provisioned Concurrency is not supported for SnapStart enabled functions.'));
    await rt.close();
    runtime = undefined;
    // from a template: the field named
    await expect(start(fn({ aliases: [{ name: 'live', version: 1, provisionedConcurrency: 1 }] }))).rejects.toThrow(
      'lambda runtime: functions[0].aliases[0].provisionedConcurrency: Provisioned Concurrency is not supported for SnapStart enabled functions.',
    );
  });
});
