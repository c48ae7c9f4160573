import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The folders the emulator keeps in the host's temp directory while a stack runs (a described
 * stack's work directory, a Lambda runtime's environments' /tmp folders): each removed by its
 * owner, or at the latest when the process exits. A process that ends by a signal runs no exit
 * handler, so whoever ends it so calls removeOwnedTempDirsNow first: the stack program before it
 * kills itself (main.ts), the test setup when a file ends (vitest ends its workers by a signal).
 * A process killed outright (SIGKILL, the OOM killer) cleans nothing: each folder's name carries
 * its process's id, and the next process to make one of that kind removes those whose process is
 * gone.
 */
const owned = new Set<string>();
const swept = new Set<string>();

export function removeOwnedTempDirsNow(): void {
  for (const dir of owned) rmSync(dir, { recursive: true, force: true });
  owned.clear();
}
process.on('exit', removeOwnedTempDirsNow);

export interface OwnedTempDir {
  path: string;
  remove(): void;
}

/** A new folder `<temp>/<prefix><pid>-<random>`, made now or (`made: false`) by whoever first writes into it. */
export function ownedTempDir(prefix: string, o: { made: boolean }): OwnedTempDir {
  if (!swept.has(prefix)) {
    swept.add(prefix);
    removeOrphans(prefix);
  }
  const path = join(tmpdir(), `${prefix}${process.pid}-${randomBytes(6).toString('hex')}`);
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

/** Folders of this kind whose process is gone (ESRCH: no such process; a live one, or one not ours to ask, is left). */
function removeOrphans(prefix: string): void {
  const named = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)-[0-9a-f]+$`);
  let entries: string[];
  try {
    entries = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of entries) {
    const pid = named.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || alive(Number(pid))) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
