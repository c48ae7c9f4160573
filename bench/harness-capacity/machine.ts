import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { openFilesLimit } from './proc-stats.ts';

/**
 * The machine a measurement ran on, and how busy it was: numbers from a shared 2-core machine
 * are only comparable with the load average beside them.
 */
export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
  totalMemoryMB: number;
  openFilesLimit: number | undefined;
}

export function describeMachine(): Machine {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    totalMemoryMB: Math.round(totalmem() / 2 ** 20),
    openFilesLimit: openFilesLimit(),
  };
}

/** "1.23 0.98 0.75" (1, 5 and 15 minutes), as uptime prints it. */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}
