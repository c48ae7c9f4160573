import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An execution environment's own /tmp. On Lambda each environment has an ephemeral /tmp of its
 * own, shared with no other environment and gone with it; here it is a folder of the host's temp
 * directory, handed to the function as TMPDIR (what Node's os.tmpdir(), Python's tempfile and
 * mktemp read) and removed when the environment ends, or at the latest when the process exits.
 * Code that writes to the literal path /tmp still reaches the host's.
 */
const live = new Set<string>();
process.on('exit', () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
});

export class EphemeralStorage {
  readonly dir = mkdtempSync(join(tmpdir(), 'fanout-lambda-tmp-'));

  constructor() {
    live.add(this.dir);
  }

  /** The variable that points the function's temp files here. */
  get environment(): { TMPDIR: string } {
    return { TMPDIR: this.dir };
  }

  remove(): void {
    live.delete(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
