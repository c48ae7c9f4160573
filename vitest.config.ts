import { defineConfig } from 'vitest/config';
import FileOrderSequencer from './test/ci/file-order.ts';
import { ISOLATED_DIRS, ISOLATED_FILES, SHARED_DIRS, SHARED_ROOT } from './test/ci/test-projects.ts';

const tests = (dir: string) => `${dir}/**/*.test.ts`;

export default defineConfig({
  test: {
    // Real sockets, worker threads and child processes: give them time on a 2-core machine.
    pool: 'forks',
    // No maxWorkers here: a project takes its own config's over the command line's, so it is given
    // on the command line (npm test: 2; .ci/run: per lane).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Per-file CPU for .ci/run's timing summary (a no-op unless FANOUT_BENCH_FILE_CPU is set); the
    // stacks' and runtimes' temp folders removed with each file (test/owned-temp-dirs.ts).
    setupFiles: ['test/ci/file-cpu.ts', 'test/owned-temp-dirs.ts'],
    // COLUMNS: the CLI's console lines whole (console-lines.ts), for the tests that read one; the
    // width rule itself is held in test/report/console-width.test.ts and caught-denials.test.ts
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', COLUMNS: '1000' },
    // Long files first, those that mostly wait spread among those that work, both projects mixed,
    // from a recorded CI run (test/ci/file-order.ts).
    sequence: { sequencer: FileOrderSequencer },
    projects: [
      // Most files run one after another in shared processes: a fresh process per file cost about
      // 1 CPU-s before its first test (test/ci/test-projects.ts says which files, and why).
      { extends: true, test: { name: 'shared', include: [...SHARED_DIRS.map(tests), SHARED_ROOT], exclude: [...ISOLATED_FILES], isolate: false } },
      // The rest each in a process of its own: the whole-CLI files, and those that change the
      // process's environment or mock a module.
      { extends: true, test: { name: 'isolated', include: [...ISOLATED_DIRS.map(tests), ...ISOLATED_FILES] } },
    ],
  },
});
