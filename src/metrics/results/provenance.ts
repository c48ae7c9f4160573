import { execFileSync } from 'node:child_process';
import type { Provenance } from '../../contracts/results-schema.ts';
import { PACKAGE_ROOT } from '../../../common/package-paths.ts';

/**
 * Where the code under test came from, for results.json: in GitHub Actions the commit and ref the
 * workflow ran for (GITHUB_SHA, GITHUB_REF_NAME: a shallow or detached checkout may not say),
 * elsewhere git's view of the working tree the tool runs in (the current directory's, else the
 * tool's own). No git, or no repository: undefined (a run never fails for want of it). Asked once
 * per process: repeats and comparisons measure the same code.
 */
export function provenance(env: NodeJS.ProcessEnv = process.env): Provenance | undefined {
  if (env === process.env) return (cached ??= { value: lookup(env) }).value;
  return lookup(env);
}

let cached: { value: Provenance | undefined } | undefined;

const TOOL_DIR = PACKAGE_ROOT;

function lookup(env: NodeJS.ProcessEnv): Provenance | undefined {
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_SHA) {
    return { source: 'github-actions', commit: env.GITHUB_SHA, ...(env.GITHUB_REF_NAME ? { ref: env.GITHUB_REF_NAME } : {}) };
  }
  for (const dir of [process.cwd(), TOOL_DIR]) {
    const commit = git(dir, ['rev-parse', '--verify', '-q', 'HEAD']);
    if (!commit) continue;
    const ref = git(dir, ['symbolic-ref', '--short', '-q', 'HEAD']);
    // tracked files changed since the commit: the numbers are not that commit's alone
    const changed = git(dir, ['status', '--porcelain', '--untracked-files=no']);
    return { source: 'git', commit, ...(ref ? { ref } : {}), ...(changed ? { dirty: true } : {}) };
  }
  return undefined;
}

/** git's trimmed output, or undefined when git is missing, fails or says nothing. */
function git(cwd: string, args: string[]): string | undefined {
  try {
    const out = execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}
