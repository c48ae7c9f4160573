import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Build outputs kept across runs and found again by what went into them, so a stack start does
 * not bundle the SDK again (0.6-0.9 s of a 2-core machine per start) and no start leaves a
 * bundle directory behind (each held ~50 MB in the temp dir, and a stack that is killed never
 * removes its own).
 *
 * `<root>/<key>.json` points at the output for one build configuration (`key`) and lists the
 * input files esbuild read, each with its size and mtime. A start whose inputs all still match
 * uses that output; otherwise it builds again into a new directory, named for its inputs, and
 * moves the pointer. Outputs are never changed in place: a running stack keeps reading its own
 * (environments load their bundle when they start). Directories unused for a week are removed.
 */
const UNUSED_FOR_MS = 7 * 24 * 60 * 60 * 1000;
/** A `.build-*` directory this old was left by a start that died while building. */
const ABANDONED_BUILD_MS = 60 * 60 * 1000;

type Stamp = [path: string, size: number, mtimeMs: number];

interface Pointer {
  dir: string;
  inputs: Stamp[];
}

/** A stable key for a build configuration: any JSON-serialisable description of it. */
export function buildKey(description: unknown): string {
  return createHash('sha256').update(JSON.stringify(description)).digest('hex').slice(0, 24);
}

/**
 * The output directory for `key`: the cached one when its inputs are unchanged, else what `build`
 * writes into the directory it is given (it returns the absolute paths of the files it read).
 */
export async function cachedBuild(root: string, key: string, build: (outdir: string) => Promise<string[]>): Promise<string> {
  const pointerPath = join(root, `${key}.json`);
  const hit = await lookUp(root, pointerPath);
  if (hit) return hit;

  const tmp = await mkdtemp(join(root, '.build-'));
  let inputs: Stamp[];
  try {
    inputs = await Promise.all((await build(tmp)).sort().map(stampOf));
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const name = buildKey({ key, inputs });
  const dir = join(root, name);
  try {
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (!existsSync(dir)) throw err; // else another start built the same inputs first: use theirs
  }
  const pointer: Pointer = { dir: name, inputs };
  // One process may start several stacks at once (a test file does): each needs its own temp name.
  const pointerTmp = `${pointerPath}.${randomUUID()}.tmp`;
  await writeFile(pointerTmp, JSON.stringify(pointer));
  await rename(pointerTmp, pointerPath);
  await prune(root).catch(() => undefined); // housekeeping: never fails a start
  return dir;
}

async function lookUp(root: string, pointerPath: string): Promise<string | undefined> {
  let pointer: Pointer;
  try {
    pointer = JSON.parse(await readFile(pointerPath, 'utf8')) as Pointer;
  } catch {
    return undefined;
  }
  const now = await Promise.all(pointer.inputs.map(([path]) => stampOf(path)));
  if (now.some((s, i) => s[1] !== pointer.inputs[i][1] || s[2] !== pointer.inputs[i][2])) return undefined;
  const dir = join(root, pointer.dir);
  try {
    const t = new Date();
    await utimes(dir, t, t); // in use: not pruned
  } catch {
    return undefined; // pruned or removed by hand
  }
  return dir;
}

async function stampOf(path: string): Promise<Stamp> {
  try {
    const s = await stat(path);
    return [path, s.size, s.mtimeMs];
  } catch {
    return [path, -1, -1];
  }
}

async function prune(root: string): Promise<void> {
  const now = Date.now();
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(root, entry.name);
    const age = now - (await stat(path)).mtimeMs;
    if (age > (entry.name.startsWith('.build-') ? ABANDONED_BUILD_MS : UNUSED_FOR_MS)) await rm(path, { recursive: true, force: true });
  }
}
