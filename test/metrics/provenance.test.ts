import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { provenance } from '../../src/metrics/results/provenance.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * Where the code under test came from: GitHub Actions' variables in Actions, else git in a real
 * repository made here (its commit, branch, and whether tracked files changed), else nothing.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-provenance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' }).trim();

function inDir<T>(cwd: string, f: () => T): T {
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return f();
  } finally {
    process.chdir(before);
  }
}

describe('provenance', () => {
  it('in GitHub Actions: GITHUB_SHA and GITHUB_REF_NAME', () => {
    expect(provenance({ GITHUB_ACTIONS: 'true', GITHUB_SHA: 'a'.repeat(40), GITHUB_REF_NAME: 'main' })).toEqual({
      source: 'github-actions',
      commit: 'a'.repeat(40),
      ref: 'main',
    });
  });

  it("elsewhere: the working tree's commit and branch, and dirty once a tracked file changed", () => {
    git('init', '-q', '-b', 'nightly');
    writeFileSync(join(dir, 'a.txt'), 'one\n');
    git('add', 'a.txt');
    git('commit', '-q', '-m', 'one');
    const head = git('rev-parse', 'HEAD');
    expect(inDir(dir, () => provenance({}))).toEqual({ source: 'git', commit: head, ref: 'nightly' });
    writeFileSync(join(dir, 'a.txt'), 'two\n');
    expect(inDir(dir, () => provenance({}))).toEqual({ source: 'git', commit: head, ref: 'nightly', dirty: true });
    git('checkout', '-q', '--detach');
    expect(inDir(dir, () => provenance({}))).toEqual({ source: 'git', commit: head, dirty: true });
  });

  it('results.json carries it, and results without it (older runs) still parse', () => {
    const r = buildResults();
    expect(r.provenance).toBeUndefined();
    const withIt = Results.parse({ ...r, provenance: { source: 'git', commit: 'b'.repeat(40), ref: 'main' } });
    expect(withIt.provenance?.ref).toBe('main');
    expect(Results.safeParse({ ...r, provenance: { source: 'svn', commit: '1' } }).success).toBe(false);
  });
});
