import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuProfileDir, cpuProfilingFlags } from '../../common/cpu-profiling.ts';

const work = mkdtempSync(join(tmpdir(), 'fb-cpu-prof-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the CPU-profiling flags a process passes on', () => {
  it('keeps each flag with its value, in the = form, whichever form Node was given', () => {
    expect(cpuProfilingFlags(['--cpu-prof', '--cpu-prof-dir', '/tmp/p', '--max-old-space-size=512', '--cpu-prof-interval', '500'])).toEqual([
      '--cpu-prof',
      '--cpu-prof-dir=/tmp/p',
      '--cpu-prof-interval=500',
    ]);
    expect(cpuProfilingFlags(['--cpu-prof', '--cpu-prof-dir=/tmp/p', '--cpu-prof-name=x.cpuprofile'])).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/p', '--cpu-prof-name=x.cpuprofile']);
    expect(cpuProfilingFlags(['--inspect', '--enable-source-maps'])).toEqual([]);
    // a value-taking flag last, without its value, is not passed on alone
    expect(cpuProfilingFlags(['--cpu-prof', '--cpu-prof-dir'])).toEqual(['--cpu-prof']);
    expect(cpuProfileDir(cpuProfilingFlags(['--cpu-prof', '--cpu-prof-dir', '/tmp/p']))).toBe('/tmp/p');
    expect(cpuProfileDir(['--cpu-prof'])).toBeUndefined();
  });

  it('profiles a thread started with them: `node --cpu-prof --cpu-prof-dir DIR` writes the thread\'s profile there too', () => {
    const module = resolve(import.meta.dirname, '../../common/cpu-profiling.ts');
    // the profiles one process writes, its worker started with `execArgv`: every profiled thread writes one when it ends, sampled or not
    const profiles = (name: string, execArgv: string) => {
      const dir = join(work, name);
      const script = [
        `import { Worker } from 'node:worker_threads';`,
        `import { cpuProfilingFlags } from ${JSON.stringify(module)};`,
        `const w = new Worker('let x = 0; for (let i = 0; i < 1e6; i++) x += i;', { eval: true, execArgv: ${execArgv} });`,
        `w.on('exit', (code) => process.exit(code));`,
      ].join('\n');
      execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'pipe' });
      return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    };
    // the main thread's and tsx's loader thread's either way; the worker's only with the flags passed on (its
    // code need not be sampled: a busy host may give a 1 ms loop no sample)
    const without = profiles('without', '[]');
    const withFlags = profiles('with', 'cpuProfilingFlags()');
    expect(without.length).toBeGreaterThan(0);
    expect(withFlags).toHaveLength(without.length + 1);
  });
});
