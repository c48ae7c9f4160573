import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { PLAN_FILES, writePlan } from '../../src/report/plan/write.ts';
import { PLAN } from './plan-fixture.ts';

/**
 * Where writePlan puts a plan, on real files: index.html (every page's name) in a folder of its
 * own; a folder holding anything but a plan, a run's directory first of all, is refused before
 * anything in it changes.
 */
const root = mkdtempSync(join(tmpdir(), 'fb-plan-write-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A directory holding `files` (name → text), made fresh under the test's root. */
function dirWith(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

const contents = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

describe('writePlan', () => {
  it('writes plan.json, index.html and summary.md into a new directory, levels made as needed', async () => {
    const dir = join(root, 'new', 'deeper', 'plan');
    const files = await writePlan(PLAN, dir);
    expect(files).toEqual(['plan.json', 'index.html', 'summary.md'].map((f) => join(dir, f)));
    expect(readdirSync(dir).sort()).toEqual(['index.html', 'plan.json', 'summary.md']);
    expect(JSON.parse(readFileSync(join(dir, PLAN_FILES.json), 'utf8'))).toEqual(JSON.parse(JSON.stringify(PLAN)));
    expect(readFileSync(join(dir, PLAN_FILES.html), 'utf8')).toMatch(/^<!doctype html>[\s\S]*<h1>\$4,321\.50 per month/i);
  });

  it('writes into an empty directory, and over an earlier plan in its own folder', async () => {
    const dir = dirWith('empty', {});
    await writePlan(PLAN, dir);
    writeFileSync(join(dir, PLAN_FILES.html), 'an earlier plan');
    await writePlan(PLAN, dir);
    expect(readdirSync(dir).sort()).toEqual(['index.html', 'plan.json', 'summary.md']);
    expect(readFileSync(join(dir, PLAN_FILES.html), 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it.each([
    ["a run's directory", { 'results.json': '{}', 'index.html': "the run's page", 'summary.md': "the run's summary", 'junit.xml': '<testsuites/>' }, 'holds index.html, junit.xml, results.json, …'],
    ['a folder with an index.html of its own', { 'index.html': 'a site' }, 'holds index.html'],
    ['a plan beside something else', { 'plan.json': '{}', 'index.html': 'a plan', 'notes.txt': 'mine' }, 'holds index.html, notes.txt, plan.json'],
    ['files without plan.json', { 'summary.md': 'a summary' }, 'holds summary.md'],
  ])('%s: refused in one line naming what it holds; nothing in it changes', async (name, files, holds) => {
    const dir = dirWith(name.replace(/\W+/g, '-'), files);
    const before = contents(dir);
    const err = await writePlan(PLAN, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message).toBe(`--out ${dir}: ${holds}, not a plan: a plan is written to a folder of its own (its page is index.html); name a new or empty directory`);
    expect(contents(dir)).toEqual(before);
  });
});
