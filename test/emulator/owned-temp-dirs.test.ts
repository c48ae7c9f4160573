import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// A process killed outright (SIGKILL) leaves its temp folders: the next one of that kind removes
// those whose process is gone, and no other. Its own process, with a TMPDIR of its own.
const MODULE = fileURLToPath(new URL('../../emulator/owned-temp-dirs.ts', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'fb-owned-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('temp folders of a process killed outright', () => {
  it('are removed by the next process that makes one of their kind; a live process’s and another kind’s are left', () => {
    // a process that has ended: its id names no process now
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const orphan = `fanout-lambda-tmp-${gone}-0a1b2c3d4e5f`;
    const live = `fanout-lambda-tmp-1-0a1b2c3d4e5f`;
    const otherKind = `fanout-bench-stack-${gone}-0a1b2c3d4e5f`;
    for (const d of [orphan, live, otherKind]) mkdirSync(join(tmp, d, 'env-x'), { recursive: true });
    const script = [
      `const { ownedTempDir } = await import(${JSON.stringify(MODULE)});`,
      `const made = ownedTempDir('fanout-lambda-tmp-', { made: true });`,
      `const { readdirSync } = await import('node:fs');`,
      // (tsx keeps its cache in TMPDIR too)
      `process.stdout.write(JSON.stringify({ made: made.path, left: readdirSync(${JSON.stringify(tmp)}).filter((d) => d.startsWith('fanout-')).sort() }));`,
      'made.remove();',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { made, left } = JSON.parse(r.stdout) as { made: string; left: string[] };
    expect(made).toMatch(new RegExp(`^${tmp}/fanout-lambda-tmp-\\d+-[0-9a-f]{12}$`));
    const ownName = made.slice(tmp.length + 1);
    expect(left).toEqual([otherKind, ownName, live].sort());
    expect(readdirSync(tmp).filter((d) => d.startsWith('fanout-')).sort()).toEqual([otherKind, live].sort());
  }, 30_000);
});
