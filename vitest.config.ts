import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real sockets, worker threads and child processes: give them time on a 2-core machine, and
    // keep files in separate processes so one file's emulator never shares a loop with another's.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Per-file CPU for .ci/run's timing summary (a no-op unless FANOUT_BENCH_FILE_CPU is set).
    setupFiles: ['test/ci/file-cpu.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
