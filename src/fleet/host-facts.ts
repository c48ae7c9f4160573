import { readFileSync } from 'node:fs';
import { availableParallelism, freemem, totalmem } from 'node:os';

/**
 * What this machine offers a fleet, read once before a run: cores, memory available now (the
 * kernel's MemAvailable, or less under a cgroup limit), the open-files limit every process here
 * gets (Node raises its soft limit to the hard one at start; children inherit it) and the
 * ephemeral port range. Linux files that cannot be read (another OS) leave a fact undefined,
 * and the check that needs it is skipped.
 */
export interface HostFacts {
  cores: number;
  availableMemoryBytes: number;
  totalMemoryBytes: number;
  /** open files per process (RLIMIT_NOFILE) */
  openFilesPerProcess: number | undefined;
  /** ephemeral ports per source address and destination (net.ipv4.ip_local_port_range) */
  localPorts: number | undefined;
}

export function hostFacts(): HostFacts {
  const total = totalmem();
  // constrainedMemory(): the cgroup limit, 0 or a huge number when there is none
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() ?? 0 : 0;
  const cap = constrained > 0 && constrained < total ? constrained : total;
  return {
    cores: availableParallelism(),
    availableMemoryBytes: Math.min(freemem(), cap),
    totalMemoryBytes: cap,
    openFilesPerProcess: openFilesLimit(),
    localPorts: localPortCount(),
  };
}

/** The soft limit on this process's open files (RLIMIT_NOFILE); undefined where it cannot be read. */
export function openFilesLimit(): number | undefined {
  const limits = readOptional('/proc/self/limits');
  const m = limits && /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  if (!m) return undefined;
  return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
}

function localPortCount(): number | undefined {
  const range = readOptional('/proc/sys/net/ipv4/ip_local_port_range');
  const m = range && /^(\d+)\s+(\d+)/.exec(range.trim());
  return m ? Number(m[2]) - Number(m[1]) + 1 : undefined;
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
