import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachedDataVersionTag } from 'node:v8';
import { bundleCache, writableCacheDir } from '../../../common/cache-dir.ts';

/**
 * Node's module compile cache for code as written (its ES modules, which a Script's code cache
 * cannot serve, and its CommonJS): a folder of the bundle cache, none when that is off. The worker
 * enables it where its Node has one (module.enableCompileCache, Node 22.1 and later); the same
 * saving as a bundle's code cache, the compile work a host repeats for every environment's INIT.
 */
export function handlerCompileCacheDir(): string | undefined {
  const at = bundleCache();
  return at && join(writableCacheDir(at), 'compile');
}

/**
 * A function bundle's V8 code cache, kept in a file beside the bundle: the first environment that
 * loads the bundle without a usable cache makes one (runtimes/worker.ts), and every later INIT of
 * that bundle, in this stack or the next one started on the same cache directory, skips most of
 * parsing and compiling it (about 85 ms of a 1.7 MB bundle's INIT on this host, measured
 * 2026-11-27). Only the host's repeated compile work is saved: INIT still evaluates the module.
 * The file is named for V8's cache version tag (V8's version and flags), so a stack on another
 * Node never reads a cache it would reject; one it rejects anyway is replaced by the next.
 */
export class BundleCodeCache {
  cache?: Uint8Array;
  private readonly file: string;

  constructor(bundlePath: string) {
    this.file = `${bundlePath}.v8-${cachedDataVersionTag()}.cache`;
    try {
      this.cache = readFileSync(this.file);
    } catch {
      // none made yet: the first environment makes it
    }
  }

  /** A new cache from an environment: used by the next INITs, and written for the next stacks. */
  update(data: Uint8Array): void {
    this.cache = data;
    // Written whole, then renamed: stacks sharing the bundle directory never read half a file.
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, data);
      renameSync(tmp, this.file);
    } catch {
      // A cache directory that cannot be written only costs the next stack its first compile.
    }
  }
}
