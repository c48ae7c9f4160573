import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { expectOk, fixture } from './lambda-test-helpers.ts';

// Each execution environment has a /tmp of its own, as on Lambda (docs/aws-facts.md): here the
// temp directory its function's TMPDIR names, for a Node function in a worker thread and a custom
// runtime's process alike, gone with it.

const work = mkdtempSync(join(tmpdir(), 'fb-ephemeral-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// a custom runtime that writes the event's mark into $TMPDIR (mktemp's directory), waits, and answers what it holds
const BOOTSTRAP = `#!/bin/sh
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
H="$(mktemp)"
while true; do
  EVENT="$(curl -sS -D "$H" "$API/invocation/next")"
  ID="$(sed -n 's/^[Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d: *\\([^[:space:]]*\\).*/\\1/p' "$H")"
  MARK="$(printf '%s' "$EVENT" | sed -n 's/.*"mark":"\\([^"]*\\)".*/\\1/p')"
  touch "$TMPDIR/$MARK"
  sleep 0.3
  FILES="$(ls "$TMPDIR" | grep -v '^tmp\\.' | sort | tr '\\n' ' ')"
  curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "{\\"dir\\":\\"$TMPDIR\\",\\"files\\":\\"$FILES\\"}"
done
`;

describe("an execution environment's /tmp", () => {
  it('is its own, for a Node function and a custom runtime, and goes with it', async () => {
    const dir = join(work, 'provided');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bootstrap'), BOOTSTRAP);
    chmodSync(join(dir, 'bootstrap'), 0o755);
    const runtime = await createLambdaRuntime({
      metrics: new MetricStore(),
      logs: new LogStore(),
      cpuModel: 'off',
      initConcurrency: 2,
      functions: [
        { name: 'node', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} },
        { name: 'sh', runtime: 'provided.al2023', code: { kind: 'handler', dir, handler: 'x.handler' }, memoryMB: 256, timeoutSeconds: 5 },
      ],
    });
    let dirs: string[] = [];
    try {
      // two invocations at once: two environments, each seeing only the file it wrote
      const node = await Promise.all(['a', 'b'].map((mark) => runtime.invoke('node', { action: 'tmp', mark, ms: 300 })));
      const nodeOut = node.map((o) => expectOk(o).result as { dir: string; files: string[] });
      expect(nodeOut.map((o) => o.files)).toEqual([['a'], ['b']]);
      const sh = await Promise.all(['c', 'd'].map((mark) => runtime.invoke('sh', { mark })));
      const shOut = sh.map((o) => expectOk(o).result as { dir: string; files: string });
      expect(shOut.map((o) => o.files.trim())).toEqual(['c', 'd']);
      dirs = [...nodeOut, ...shOut].map((o) => o.dir);
      expect(new Set(dirs).size).toBe(4);
      for (const d of dirs) expect(d.startsWith(join(tmpdir(), 'fanout-lambda-tmp-')), d).toBe(true);
    } finally {
      await runtime.close();
    }
    // each environment's, and the runtime's root of them, gone with it
    expect(dirs.filter((d) => existsSync(d) || existsSync(dirname(d)))).toEqual([]);
  }, 60_000);
});
