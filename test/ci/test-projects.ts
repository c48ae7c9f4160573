/**
 * Which test files share a process (vitest.config.ts's `shared` project, `isolate: false`) and
 * which get one of their own. A fresh process and module graph cost a file about 1 CPU-s before
 * its first test (measured 2026-11-25: test/analyses, test/verdict and test/metrics, 38 files, took
 * 75 CPU-s isolated and 35 shared); most unit files run in less. A shared file must leave nothing
 * behind for the next one: no process.env it changed, no module mocked, no server left open.
 * test/ci/test-projects.test.ts holds the files of the shared directories to that.
 */

/** Directories whose files run in shared processes, but for ISOLATED_FILES. */
export const SHARED_DIRS = [
  'test/analyses',
  'test/architecture',
  'test/artillery',
  'test/artillery-interop',
  'test/aws',
  'test/bench',
  'test/ci',
  'test/commands',
  'test/common',
  'test/contracts',
  'test/diagnosis',
  'test/docs',
  'test/emulator',
  'test/fleet',
  'test/infra',
  'test/local-stack',
  'test/metrics',
  'test/modes',
  'test/report',
  'test/scenarios',
  'test/session',
  'test/targets',
  'test/verdict',
] as const;

/** The tests of src/'s root modules (number-format.ts …), at test/'s root as their modules are at src/'s: shared too. */
export const SHARED_ROOT = 'test/*.test.ts';

/**
 * Directories whose files each get a process: test/e2e runs the CLI against whole stacks (a
 * process is nothing beside that), test/functions sets up the functions' environment before it
 * imports them (their modules read their table names when loaded).
 */
export const ISOLATED_DIRS = ['test/e2e', 'test/functions'] as const;

/** Files of the shared directories that change the process, each with what it changes. */
export const ISOLATED_FILES: readonly string[] = [
  'test/metrics/cloudwatch-unavailable.test.ts', // AWS_* (the SDK's chain, an unreachable endpoint)
  'test/metrics/price-list.test.ts', // AWS_ENDPOINT_URL_PRICING and keys
  'test/metrics/provenance.test.ts', // the working directory (a git checkout of its own)
  'test/metrics/work-per-message.test.ts', // the functions' table names (it runs them in-process)
  'test/emulator/bundle-cache.test.ts', // FANOUT_BENCH_BUNDLE_CACHE
  'test/emulator/cloudwatch-aws-timing.test.ts', // AWS_ENDPOINT_URL_CLOUDWATCH
  'test/emulator/edge.test.ts', // AWS_ENDPOINT_URL and keys
  'test/emulator/template-sam-build.test.ts', // FANOUT_BENCH_DEPENDENCY_CACHE
  'test/emulator/function-environment.test.ts', // a module mocked
  'test/emulator/stack-aws-apis.test.ts', // AWS_ENDPOINT_URL_* (the SDK's own endpoint variables)
  'test/targets/aws-credentials-chain.test.ts', // AWS_* (the SDK's standard chain)
  'test/fleet/connect-token.test.ts', // FANOUT_BENCH_TOKEN
  'test/targets/deployed-discovery.test.ts', // AWS_*
  'test/local-stack/node-binaries.test.ts', // FANOUT_BENCH_NODE_CACHE and PATH
];
