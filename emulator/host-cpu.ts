import { threadCpuClock } from './lambda/environments/cpu-share.ts';
import type { FunctionStats } from './lambda/types.ts';

/**
 * Where the host's CPU went while the stack ran: the stack process's main thread (gateway,
 * @connections, CloudWatch endpoint, Lambda runtime bookkeeping), each function's environments
 * (worker boot + INIT, invocations; for a runtime that is not Node.js, its environments'
 * processes, which the stack started: `environmentProcessesMs`, counted in `totalMs` too), the
 * DynamoDB worker thread (dynalite and its metering front), and the other threads (libuv's pool,
 * V8's GC and compiler threads for every isolate). Logged when the stack stops, so a run's
 * stack.log says what its load cost the emulator; this is the host's accounting, not anything
 * AWS would bill.
 */
export interface HostCpuReport {
  totalMs: number;
  mainThreadMs: number;
  environments: Record<string, { initMs: number; invokeMs: number; coldStarts: number; preparedColdStarts: number; hostCapWaits: number }>;
  /** the DynamoDB worker thread (0 where thread clocks are unavailable) */
  dynamodbMs: number;
  /** the runtime processes of functions that are not Node.js (outside the stack process) */
  environmentProcessesMs: number;
  otherThreadsMs: number;
}

export function startHostCpu(): (stats: Record<string, FunctionStats>, dynamodbCpuMs?: number) => HostCpuReport {
  const mainThread = threadCpuClock();
  const main0 = mainThread?.() ?? 0;
  const process0 = process.cpuUsage();
  return (stats, dynamodbCpuMs = 0) => {
    const p = process.cpuUsage(process0);
    const totalMs = (p.user + p.system) / 1000;
    const mainThreadMs = mainThread ? mainThread() - main0 : 0;
    const environments: HostCpuReport['environments'] = {};
    let envMs = 0;
    let processesMs = 0;
    for (const [name, s] of Object.entries(stats)) {
      if (s.invocations === 0 && s.hostCpuInitMs === 0) continue;
      environments[name] = {
        initMs: round(s.hostCpuInitMs),
        invokeMs: round(s.hostCpuInvokeMs),
        coldStarts: s.coldStarts,
        preparedColdStarts: s.preparedColdStarts,
        hostCapWaits: s.hostCapWaits,
      };
      if (s.runsIn === 'process') processesMs += s.hostCpuInitMs + s.hostCpuInvokeMs;
      else envMs += s.hostCpuInitMs + s.hostCpuInvokeMs;
    }
    return {
      totalMs: round(totalMs + processesMs),
      mainThreadMs: round(mainThreadMs),
      environments,
      dynamodbMs: round(dynamodbCpuMs),
      environmentProcessesMs: round(processesMs),
      otherThreadsMs: round(Math.max(0, totalMs - mainThreadMs - envMs - dynamodbCpuMs)),
    };
  };
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** The one line the stack logs when it stops (`stack: host-cpu {…}`), read by bench/emulator-capacity. */
export function hostCpuLine(report: HostCpuReport): string {
  return `stack: host-cpu ${JSON.stringify(report)}`;
}
