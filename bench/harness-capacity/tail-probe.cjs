'use strict';
/**
 * Tail probe for bench/harness-capacity/tail-sources.ts, preloaded into the fleets' processes with
 * NODE_OPTIONS="--require …/tail-probe.cjs" (the harness's shards inherit it from the CLI). It
 * changes nothing the fleets do; it watches them from inside, where /proc cannot see:
 * - a CPU profile (V8's sampling profiler through the inspector, every FANOUT_TAIL_PROBE_US µs,
 *   default 500): what the event loop was doing at each moment, so every stretch it was busy
 *   can be attributed (a delivery that arrives during one waits for it);
 * - every garbage collection (perf_hooks 'gc' entries: start, duration, kind);
 * - every IPC message the process handled and how long the handling took (a shard's flush:
 *   the interval snapshot, its encoding and the send to the parent);
 * - /proc/self/schedstat every 250 ms: CPU time and time spent runnable but waiting for a core;
 * - with FANOUT_TAIL_PROBE_HEAP_AFTER_MS=<ms>, V8's sampling heap profile of every allocation
 *   from that long after the process started, collected ones included (what it allocates, by
 *   allocation site: the garbage the GC pays for);
 * - with FANOUT_TAIL_PROBE_TRACE_GC=1, V8's --trace-gc lines on the process's stdout (the flag
 *   is refused in NODE_OPTIONS, and the harness forks its shards with flags of its own).
 * With FANOUT_TAIL_PROBE_DIR set, in the CLI ("parent"), each shard ("shard") and the bare fleet
 * ("bare"), all of it is written to <dir>/<role>-<pid>.json when the process exits. Any other
 * Node process that inherits NODE_OPTIONS is left alone.
 */
const dir = process.env.FANOUT_TAIL_PROBE_DIR;
const entry = process.argv[1] ?? '';
const role = entry.endsWith('shard-bootstrap.js') ? 'shard' : entry.endsWith('fanout-bench.js') ? 'parent' : entry.endsWith('bare-fleet.ts') ? 'bare' : undefined;

if (dir && role) {
  const fs = require('node:fs');
  const path = require('node:path');
  const { Session } = require('node:inspector');
  const { PerformanceObserver, performance } = require('node:perf_hooks');

  // performance.now() and the profile's timestamps (µs of the monotonic clock) → epoch ms
  const hrNowNs = process.hrtime.bigint();
  const perfNow = performance.now();
  const clock = { epochOriginMs: performance.timeOrigin, monotonicAtPerfZeroUs: Number(hrNowNs / 1000n) - perfNow * 1000 };

  if (process.env.FANOUT_TAIL_PROBE_TRACE_GC === '1') require('node:v8').setFlagsFromString('--trace-gc');

  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.FANOUT_TAIL_PROBE_US) || 500 });
  session.post('Profiler.start');
  const heapAfter = process.env.FANOUT_TAIL_PROBE_HEAP_AFTER_MS;
  const heap = heapAfter !== undefined;
  let heapFrom = 0;
  if (heap) {
    setTimeout(() => {
      heapFrom = performance.now();
      session.post('HeapProfiler.enable');
      session.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    }, Number(heapAfter)).unref();
  }

  const gc = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc.push([e.startTime, e.duration, e.detail ? e.detail.kind : 0]);
  }).observe({ entryTypes: ['gc'] });

  const messages = [];
  const emit = process.emit;
  process.emit = function (name, ...args) {
    if (name !== 'message') return emit.call(this, name, ...args);
    const t = performance.now();
    const out = emit.call(this, name, ...args);
    const m = args[0];
    messages.push([t, performance.now() - t, m && typeof m === 'object' ? String(m.type ?? m.op ?? '') : '']);
    return out;
  };

  const sched = [];
  const readSched = () => {
    try {
      const [run, wait] = fs.readFileSync('/proc/self/schedstat', 'latin1').trim().split(' ').map(Number);
      sched.push([performance.now(), run / 1e6, wait / 1e6]);
    } catch {
      // not Linux: no run-queue figures
    }
  };
  readSched();
  setInterval(readSched, 250).unref();

  process.on('exit', () => {
    readSched();
    // the inspector answers a session of the same thread synchronously
    let heapProfile = null;
    if (heap && heapFrom > 0) session.post('HeapProfiler.getSamplingProfile', (err, res) => (heapProfile = err ? null : { from: heapFrom, to: performance.now(), ...res.profile }));
    session.post('Profiler.stop', (err, res) => {
      const out = { role, pid: process.pid, argv: process.argv.slice(1), clock, gc, messages, sched, profile: err ? null : res.profile, heapProfile };
      try {
        fs.writeFileSync(path.join(dir, `${role}-${process.pid}.json`), JSON.stringify(out));
      } catch {
        // the directory went away: the benchmark is over
      }
    });
  });
}
