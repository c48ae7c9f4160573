'use strict';
/**
 * Memory probe for the soak benchmark, preloaded into the harness's processes with
 * NODE_OPTIONS="--require …/memory-probe.cjs" (the shards inherit it from the CLI). It changes
 * nothing in the harness: it only watches it from inside, which /proc cannot do for the V8 heap.
 *
 * With FANOUT_SOAK_PROBE_DIR set, in the CLI process ("parent") and each shard ("shard"):
 * - every FANOUT_SOAK_PROBE_MS (1000) a line {"t","kind":"s","rss","heapUsed","heapTotal",
 *   "external","arrayBuffers"} appended to <dir>/<role>-<pid>.ndjson;
 * - every FANOUT_SOAK_GC_MS (30000) a line of kind "gc": the same, right after a full garbage
 *   collection, so the heap it reports is what is still reachable (the heap's sawtooth hides a
 *   slow leak otherwise);
 * - on SIGUSR2 a heap snapshot <dir>/<role>-<pid>-<t>.heapsnapshot (for finding a leak).
 * Any other Node process that inherits NODE_OPTIONS (none here) is left alone.
 */
const dir = process.env.FANOUT_SOAK_PROBE_DIR;
const entry = process.argv[1] ?? '';
const role = entry.endsWith('shard-bootstrap.js') ? 'shard' : entry.endsWith('fanout-bench.js') ? 'parent' : undefined;

if (dir && role) {
  const fs = require('node:fs');
  const path = require('node:path');
  const v8 = require('node:v8');
  const vm = require('node:vm');

  const file = path.join(dir, `${role}-${process.pid}.ndjson`);
  const everyMs = Number(process.env.FANOUT_SOAK_PROBE_MS) || 1000;
  const gcEveryMs = Number(process.env.FANOUT_SOAK_GC_MS) || 30_000;

  // Shards run with --expose-gc; the CLI does not, so it gets a gc function the documented way.
  let gc = globalThis.gc;
  if (typeof gc !== 'function') {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc');
  }

  const sample = (kind) => {
    const m = process.memoryUsage();
    const line = { t: Date.now(), kind, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
    try {
      fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // the directory went away: the benchmark is over
    }
  };
  sample('s');
  setInterval(() => sample('s'), everyMs).unref();
  setInterval(() => {
    gc();
    sample('gc');
  }, gcEveryMs).unref();
  process.on('SIGUSR2', () => {
    gc();
    v8.writeHeapSnapshot(path.join(dir, `${role}-${process.pid}-${Date.now()}.heapsnapshot`));
  });
}
