import { cpuProfileDir, cpuProfilingFlags } from '../../../common/cpu-profiling.ts';

/**
 * CPU profiling of the emulator. Environments get none of the host's Node flags except these: a
 * stack started with `node --cpu-prof --cpu-prof-dir DIR` profiles every environment's thread too,
 * and keeps the function bundles with their source maps in DIR/bundles so the profiles can be
 * attributed to SDK, Powertools and handler code.
 */
export const PROFILING_FLAGS = cpuProfilingFlags();

/** The profile directory when profiling is on, else undefined. */
export const PROFILE_DIR = cpuProfileDir(PROFILING_FLAGS);
