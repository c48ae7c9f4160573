import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The memory probe's output (memory-probe.cjs): one file of samples per harness process. */
export interface MemorySample {
  /** epoch ms */
  t: number;
  /** "s": every second as it is; "gc": right after a full garbage collection */
  kind: 's' | 'gc';
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface ProbedProcess {
  role: 'parent' | 'shard';
  pid: number;
  samples: MemorySample[];
}

const FILE = /^(parent|shard)-(\d+)\.ndjson$/;

export function readProbes(dir: string): ProbedProcess[] {
  const out: ProbedProcess[] = [];
  for (const name of readdirSync(dir)) {
    const m = FILE.exec(name);
    if (!m) continue;
    const samples = readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as MemorySample];
        } catch {
          return []; // a line cut short as the process exited
        }
      });
    out.push({ role: m[1] as ProbedProcess['role'], pid: Number(m[2]), samples });
  }
  // parent first, then shards in start order (pids grow here; ties do not matter)
  return out.sort((a, b) => (a.role === b.role ? a.pid - b.pid : a.role === 'parent' ? -1 : 1));
}

/** Process ids the probe saw, to signal for heap snapshots. */
export function probedPids(dir: string): number[] {
  return readdirSync(dir).flatMap((name) => {
    const m = FILE.exec(name);
    return m ? [Number(m[2])] : [];
  });
}
