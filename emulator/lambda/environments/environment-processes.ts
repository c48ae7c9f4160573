/**
 * Every runtime process the emulator has started and not yet seen end, so that none outlives the
 * stack: a clean close terminates them one by one (runtime.ts), and this kills what is left when
 * the process exits without that (process.exit after a second signal) or ends itself at once (an
 * orphaned stack's SIGKILL of itself, main.ts). Synchronous: it runs in 'exit'.
 */
const live = new Set<number>();
let hooked = false;

export function trackEnvironmentProcess(pid: number): () => void {
  if (!hooked) {
    hooked = true;
    process.on('exit', killEnvironmentProcesses);
  }
  live.add(pid);
  return () => live.delete(pid);
}

/** SIGKILL to each runtime process and its group (each leads one: process-freeze.ts). */
export function killEnvironmentProcesses(): void {
  for (const pid of live) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone, or not a group leader
      }
    }
  }
  live.clear();
}
