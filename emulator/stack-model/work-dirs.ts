import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The work directories of described stacks (unpacked zips, inline code, builds, merged layers):
 * each named when its stack is described and made only if the reader writes into it, removed by
 * its `dispose`, or at the latest when the process exits (or, for a process that ends by a
 * signal, when its owner calls removeWorkDirsNow: the stack program on a second signal, the test
 * setup when a file ends).
 */
const undisposed = new Set<string>();

export function removeWorkDirsNow(): void {
  for (const dir of undisposed) rmSync(dir, { recursive: true, force: true });
  undisposed.clear();
}
process.on('exit', removeWorkDirsNow);

/** A new work directory's path (not made) and how to remove it. */
export function newWorkDir(): { path: string; dispose(): Promise<void> } {
  const path = join(tmpdir(), `fanout-bench-stack-${randomBytes(6).toString('hex')}`);
  undisposed.add(path);
  return {
    path,
    async dispose() {
      undisposed.delete(path);
      await rm(path, { recursive: true, force: true });
    },
  };
}
