import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ownedTempDir, type OwnedTempDir } from '../../owned-temp-dirs.ts';

/**
 * An execution environment's own /tmp. On Lambda each environment has an ephemeral /tmp of its
 * own, shared with no other environment and gone with it; here it is a folder handed to the
 * function as TMPDIR (what Node's os.tmpdir(), Python's tempfile and mktemp read), removed when
 * the environment ends. Code that writes to the literal path /tmp still reaches the host's.
 *
 * The folders of one runtime's environments sit in one root of the host's temp directory,
 * removed whole when the runtime closes (an environment killed with it never removes its own), or
 * at the latest when the process ends (owned-temp-dirs.ts).
 */
export function ephemeralStorageRoot(): OwnedTempDir {
  return ownedTempDir('fanout-lambda-tmp-', { made: true });
}
export class EphemeralStorage {
  readonly dir: string;

  constructor(root: string) {
    this.dir = mkdtempSync(join(root, 'env-'));
  }

  /** The variable that points the function's temp files here. */
  get environment(): { TMPDIR: string } {
    return { TMPDIR: this.dir };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
