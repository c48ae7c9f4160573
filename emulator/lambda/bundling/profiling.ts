/**
 * CPU profiling of the emulator. Environments get none of the host's Node flags except these: a
 * stack started with `node --cpu-prof --cpu-prof-dir=DIR` profiles every environment's thread too, and keeps the function bundles with their source maps
 * in DIR/bundles so the profiles can be attributed to SDK, Powertools and handler code.
 */
export const PROFILING_FLAGS = process.execArgv.filter((a) => a.startsWith('--cpu-prof'));

/** The profile directory when profiling is on, else undefined. */
export const PROFILE_DIR = PROFILING_FLAGS.find((a) => a.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length);
