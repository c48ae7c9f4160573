/**
 * What must be stopped if the benchmark itself is interrupted (Ctrl-C, SIGTERM): the servers and
 * harness runs it started. Each registers a stop function while it lives; main.ts calls them all
 * on a signal, so no process outlives the benchmark.
 */
const stops = new Set<() => void | Promise<void>>();

/** Registers `stop`; returns the function that unregisters it. */
export function onCleanup(stop: () => void | Promise<void>): () => void {
  stops.add(stop);
  return () => stops.delete(stop);
}

export async function cleanupAll(): Promise<void> {
  const all = [...stops];
  stops.clear();
  await Promise.allSettled(all.map(async (s) => s()));
}
