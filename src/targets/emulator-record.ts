import type { z } from 'zod';

/**
 * One of the local emulator's own records on its gateway's listener (the gone connections, the
 * unserved calls), read by the URL the ready line names, for what happened since the run started.
 */
const READ_TIMEOUT_MS = 10_000;

export async function readEmulatorRecord<T>(endpoint: string, run: { startMs: number }, schema: z.ZodType<T>): Promise<T> {
  const res = await fetch(`${endpoint}?since=${Math.floor(run.startMs)}`, { signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET ${endpoint}: HTTP ${res.status}`);
  return schema.parse(await res.json());
}
