import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheRoot, writableCacheDir } from '../../common/cache-dir.ts';
import { PACKAGE_ROOT } from '../../common/package-paths.ts';
import { DEFAULT_STACK_NAME } from '../../reference-stack/functions/stack-names.ts';
import { synthesizeReferenceStack } from '../../reference-stack/infra/synthesize.ts';

/**
 * The reference stack's cloud assembly: what `cdk deploy` deploys, and what the emulator's default
 * stack reads (its template takes every stack name and shape as parameters, so one serves all).
 * - `npm run build` synthesizes it (this module run as a program) into dist/reference-stack/assembly, with the digest of the
 *   sources it came from; the package ships it, and holds none of the sources (nor the CDK).
 * - A checkout whose sources differ from that digest (an edited function, no build yet) gets one
 *   synthesized on first use into the cache (`<cache>/reference-stack/<digest>`, five seconds once),
 *   so what runs is always what the sources say.
 */
export const ASSEMBLY_STACK = DEFAULT_STACK_NAME;

/** Where `npm run build` puts it in a package (or checkout) rooted at `root`. */
const builtAt = (root: string) => join(root, 'dist', 'reference-stack', 'assembly');
const DIGEST_FILE = 'sources.sha256';
const UNUSED_FOR_MS = 24 * 60 * 60 * 1000;
/** What the assembly is made of: the CDK app, the functions it bundles, what they import, the versions installed. */
const SOURCES = ['reference-stack/infra', 'reference-stack/functions', 'common', 'package-lock.json'];

export interface ReferenceAssemblyOptions {
  /** the package's root (default this package's) */
  root?: string;
  log?: (line: string) => void;
}

/** The directory of an assembly made from the sources the package holds (synthesized now if there is none). */
export async function referenceAssembly(o: ReferenceAssemblyOptions = {}): Promise<string> {
  const root = o.root ?? PACKAGE_ROOT;
  const digest = sourcesDigest(root);
  // a package: the sources are not shipped, the assembly built from them is
  if (digest === undefined || builtDigest(root) === digest) return builtAt(root);
  const cached = join(writableCacheDir(cacheRoot({ packageRoot: root })), 'reference-stack');
  const dir = join(cached, digest);
  if (existsSync(join(dir, DIGEST_FILE))) {
    // in use: not pruned
    const now = new Date();
    utimesSync(dir, now, now);
    return dir;
  }
  o.log?.(`fanout-bench: synthesizing the reference stack's CDK app, once for these sources (no build of them): ${dir}`);
  await writeAssembly(root, dir, digest);
  pruneUnused(cached, dir);
  return dir;
}

/** A checkout's earlier assemblies (14 MB each) unused for a day: a stack still running reads its functions' code from its own. */
function pruneUnused(cached: string, keep: string): void {
  for (const name of readdirSync(cached)) {
    const dir = join(cached, name);
    if (dir !== keep && Date.now() - statSync(dir).mtimeMs > UNUSED_FOR_MS) rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run build`'s step: the assembly into dist/, with its sources' digest. */
async function buildReferenceAssembly(root = PACKAGE_ROOT): Promise<void> {
  rmSync(builtAt(root), { recursive: true, force: true });
  await writeAssembly(root, builtAt(root), sourcesDigest(root)!);
}

/** Synthesized beside `dir`, then renamed into place: a process starting meanwhile sees a whole assembly or none. */
async function writeAssembly(root: string, dir: string, digest: string): Promise<void> {
  const partial = `${dir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  try {
    await synthesizeReferenceStack(partial, {}, root);
    writeFileSync(join(partial, DIGEST_FILE), `${digest}\n`);
    mkdirSync(join(dir, '..'), { recursive: true });
    try {
      renameSync(partial, dir);
    } catch (err) {
      // another process put the same assembly there first
      if (!existsSync(join(dir, DIGEST_FILE))) throw err;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

function builtDigest(root: string): string | undefined {
  try {
    return readFileSync(join(builtAt(root), DIGEST_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The sources' digest, by path and content; undefined where the CDK app is not there (a package). */
export function sourcesDigest(root: string): string | undefined {
  if (!existsSync(join(root, 'reference-stack', 'infra', 'app.ts'))) return undefined;
  const hash = createHash('sha256');
  const add = (path: string) => {
    hash.update(`${relative(root, path)}\0`);
    hash.update(readFileSync(path));
    hash.update('\0');
  };
  for (const source of SOURCES) {
    const path = join(root, source);
    if (!statSync(path).isDirectory()) add(path);
    else for (const file of readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort()) add(file);
  }
  return hash.digest('hex');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildReferenceAssembly();
