import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * results.json is written once, when a measurement is finished; a process that ends before that
 * (a second Ctrl-C's process.exit, an error no one caught) writes the results it kept as it exits.
 * Real processes, ended each way.
 */
const CHILD = fileURLToPath(new URL('../fixtures/targets/unwritten-results-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fb-unwritten-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const resultsFile = join(dir, 'kept.json');
const kept = { ...buildResults(), status: 'interrupted' as const };
writeFileSync(resultsFile, JSON.stringify(kept));

function endChild(ending: 'exit' | 'throw' | 'finished'): Promise<{ runDir: string; code: number | null }> {
  const runDir = join(dir, ending);
  mkdirSync(runDir);
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, runDir, resultsFile, ending], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve({ runDir, code }));
  });
}

describe('results kept unwritten', () => {
  it('are written as the process quits at once, as a second Ctrl-C quits', async () => {
    const { runDir, code } = await endChild('exit');
    expect(code).toBe(130);
    expect(Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')))).toEqual(Results.parse(kept));
  });

  it('are written as the process ends on an error no one caught', async () => {
    const { runDir, code } = await endChild('throw');
    expect(code).toBe(1);
    expect(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')).runId).toBe(kept.runId);
  });

  it('are not written once finished: their writer wrote them, once', async () => {
    const { runDir, code } = await endChild('finished');
    expect(code).toBe(130);
    expect(existsSync(join(runDir, 'results.json'))).toBe(false);
  });
});
