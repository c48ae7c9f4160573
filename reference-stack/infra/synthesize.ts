import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../../common/package-paths.ts';


/**
 * The reference stack's cloud assembly in `out`: the CDK app synthesized by the CDK CLI pinned in
 * package.json (what `npm run cdk -- synth` does, with another output), every function bundled by
 * NodejsFunction with the installed esbuild, offline; `context` as `-c key=value`. The template
 * takes every stack name and shape as parameters (stack-shape.ts), so one synthesis serves all.
 * `root` is the checkout whose app is synthesized (its node_modules the CDK's and tsx's).
 *
 * Two costs that make no part of the assembly are left out, about half the synth's CPU:
 * - CDK's built-in CloudFormation validation of the template (CDK_VALIDATION=false): all it
 *   writes is validation-report.json beside the assembly, which no reader of an assembly reads;
 *   the template's resources are held to by test/infra/.
 * - npx, which NodejsFunction's bundling runs once per function (`npx --no-install esbuild …`,
 *   ~0.7 CPU-s of npm each, twelve functions): an `npx` put first on the synth's PATH runs the
 *   same installed esbuild with the same arguments (the assets are the same bytes), and hands
 *   anything else to the real npx. It lives in a temporary directory, removed after.
 * process.env is left alone: the synth is given an environment of its own.
 */
export async function synthesizeReferenceStack(out: string, context: Record<string, string> = {}, root = PACKAGE_ROOT): Promise<void> {
  const bin = mkdtempSync(join(tmpdir(), 'fanout-bench-synth-bin-'));
  try {
    writeFileSync(
      join(bin, 'npx'),
      [
        '#!/bin/sh',
        `if [ "$1" = --no-install ] && [ "$2" = esbuild ]; then shift 2; exec ${shellQuote(esbuildBinary())} "$@"; fi`,
        // not ours: the real npx, this directory off PATH
        'PATH="${PATH#*:}" exec npx "$@"',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const cdk = join(root, 'node_modules/aws-cdk/bin/cdk');
    const app = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, 'node_modules/tsx/dist/cli.mjs'))} reference-stack/infra/app.ts`;
    const contextArgs = Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
    await promisify(execFile)(process.execPath, [cdk, '--app', app, '--output', resolve(out), '--no-notices', 'synth', '--quiet', ...contextArgs], {
      cwd: root,
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, CDK_VALIDATION: 'false' },
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

/** esbuild's own binary for this platform (as its package's launcher finds it), or that launcher. */
function esbuildBinary(): string {
  try {
    return createRequire(join(PACKAGE_ROOT, 'package.json')).resolve(`@esbuild/${process.platform}-${process.arch}/bin/esbuild`);
  } catch {
    return join(PACKAGE_ROOT, 'node_modules/.bin/esbuild');
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
