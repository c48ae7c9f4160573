import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The folders the emulator keeps in the host's temp directory while a stack runs (a described
 * stack's work directory, a Lambda runtime's environments' /tmp folders): each removed by its
 * owner, or at the latest when the process exits. A process that ends by a signal runs no exit
 * handler, so whoever ends it so calls removeOwnedTempDirsNow first: the stack program before it
 * kills itself (main.ts), the test setup when a file ends (vitest ends its workers by a signal).
 */
const owned = new Set<string>();

export function removeOwnedTempDirsNow(): void {
  for (const dir of owned) rmSync(dir, { recursive: true, force: true });
  owned.clear();
}
process.on('exit', removeOwnedTempDirsNow);

export interface OwnedTempDir {
  path: string;
  remove(): void;
}

/** A new folder `<temp>/<prefix><random>`, made now or (`made: false`) by whoever first writes into it. */
export function ownedTempDir(prefix: string, o: { made: boolean }): OwnedTempDir {
  const path = join(tmpdir(), `${prefix}${randomBytes(6).toString('hex')}`);
  if (o.made) mkdirSync(path, { mode: 0o700 });
  owned.add(path);
  return {
    path,
    remove() {
      owned.delete(path);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
