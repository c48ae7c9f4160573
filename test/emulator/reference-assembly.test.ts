import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../common/package-paths.ts';
import { referenceAssembly, sourcesDigest } from '../../emulator/stack-model/reference-assembly.ts';

const work = mkdtempSync(join(tmpdir(), 'fb-reference-assembly-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A checkout of its own: this one's sources copied, its node_modules linked (the CDK CLI, tsx, esbuild), no build. */
function checkoutCopy(name: string): string {
  const root = join(work, name);
  for (const path of ['reference-stack', 'common', 'package.json', 'package-lock.json', 'tsconfig.json']) cpSync(join(PACKAGE_ROOT, path), join(root, path), { recursive: true });
  // a checkout is what holds src/cli.ts (common/cache-dir.ts): its cache is its own .cache
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'cli.ts'), '');
  symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

const digestIn = (dir: string) => readFileSync(join(dir, 'sources.sha256'), 'utf8').trim();

describe("the reference stack's cloud assembly", () => {
  it("is one made from this checkout's sources, with the reference stack's template", async () => {
    const dir = await referenceAssembly();
    expect(digestIn(dir)).toBe(sourcesDigest(PACKAGE_ROOT));
    const template = JSON.parse(readFileSync(join(dir, 'FanoutBenchChat.template.json'), 'utf8')) as { Parameters: Record<string, unknown> };
    expect(Object.keys(template.Parameters)).toEqual(expect.arrayContaining(['AuthIdentity', 'AuthParameter', 'PushFanout', 'Broadcast', 'ApiStage', 'PostTimeoutMs', 'NodeRuntime']));
  });

  it('is synthesized into the cache, once, for sources no build was made from; assemblies unused for a day go', async () => {
    const root = checkoutCopy('unbuilt');
    // two earlier assemblies of this checkout: one used an hour ago, one two days ago
    const earlier = (name: string, ageMs: number) => {
      const dir = join(root, '.cache', 'reference-stack', name);
      mkdirSync(dir, { recursive: true });
      const at = new Date(Date.now() - ageMs);
      utimesSync(dir, at, at);
      return dir;
    };
    const recent = earlier('recent', 3_600_000);
    const stale = earlier('stale', 2 * 86_400_000);
    const lines: string[] = [];
    const dir = await referenceAssembly({ root, log: (line) => lines.push(line) });
    const digest = sourcesDigest(root)!;
    expect(dir).toBe(join(root, '.cache', 'reference-stack', digest));
    expect(digestIn(dir)).toBe(digest);
    expect(existsSync(join(dir, 'FanoutBenchChat.template.json'))).toBe(true);
    expect(lines).toEqual([`fanout-bench: synthesizing the reference stack's CDK app, once for these sources (no build of them): ${dir}`]);
    expect([existsSync(recent), existsSync(stale)]).toEqual([true, false]);
    // the next start finds it
    expect(await referenceAssembly({ root, log: (line) => lines.push(line) })).toBe(dir);
    expect(lines).toHaveLength(1);
  }, 240_000);

  it("has a digest that follows the sources, and none where the CDK app is not (a package's is its build's)", async () => {
    const root = checkoutCopy('edited');
    expect(sourcesDigest(root)).toBe(sourcesDigest(PACKAGE_ROOT));
    appendFileSync(join(root, 'reference-stack', 'functions', 'send-message.ts'), '\n// edited\n');
    expect(sourcesDigest(root)).not.toBe(sourcesDigest(PACKAGE_ROOT));
    rmSync(join(root, 'reference-stack', 'infra'), { recursive: true });
    expect(sourcesDigest(root)).toBeUndefined();
    // nothing synthesized: the package's built assembly is the one
    expect(await referenceAssembly({ root })).toBe(join(root, 'dist', 'reference-stack', 'assembly'));
    expect(existsSync(join(root, '.cache'))).toBe(false);
  });
});
