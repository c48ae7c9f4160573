// How a process of fanout-bench starts (the CLI, bin/fanout-bench.js; the stack program,
// emulator/bootstrap.js; a load shard, src/fleet/shard-bootstrap.js): an unsupported Node is
// refused in one line first, then the program runs from one of two forms of the same code:
// - compiled JavaScript (`npm run build` writes dist/, the packed package ships it): where no
//   TypeScript sits beside the entry (the JavaScript beside it in dist/; its counterpart in dist/
//   for the package's bin/, which starts here at the package's root), or where
//   FANOUT_BENCH_COMPILED=1 asks a checkout for its dist/ (CI runs its tests that way: what ships
//   is what is tested, and no process pays for transpiling at start);
// - the TypeScript itself through tsx's loader, so a checkout works without a build step.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { unsupportedNode } from './node-support.js';

/** This file's tree: the checkout, or dist/ inside it (the build mirrors the checkout's layout). */
const TREE = dirname(dirname(fileURLToPath(import.meta.url)));

/** Runs the program whose TypeScript entry is `entry` (a file URL to a .ts module) in this process. */
export async function runProgram(entry) {
  const unsupported = unsupportedNode(process.versions.node);
  if (unsupported) fail(unsupported);
  // Node 20 is still supported here (the machine's Node); the SDK's upgrade notice is noise on every start.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const source = fileURLToPath(entry);
  const compiled = source.replace(/\.ts$/, '.js');
  if (!existsSync(source)) {
    enableCompileCache();
    await import(pathToFileURL(existsSync(compiled) ? compiled : join(TREE, 'dist', relative(TREE, compiled))).href);
    return;
  }
  if (process.env.FANOUT_BENCH_COMPILED === '1') {
    const built = join(TREE, 'dist', relative(TREE, compiled));
    if (!existsSync(built)) fail(`FANOUT_BENCH_COMPILED=1 but ${relative(process.cwd(), built)} is missing: run \`npm run build\` first`);
    enableCompileCache();
    await import(pathToFileURL(built).href);
    return;
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(entry.href);
}

/**
 * The compiled program's V8 code kept on disk between starts, where the Node has it (22.1+, in
 * os.tmpdir()/node-compile-cache): compiling the stack program's bundle was about 0.1 CPU-s of
 * every stack start. Node keys each entry by the file's content, so a rebuilt program is compiled
 * afresh. It holds for this thread alone (no environment variable is set, worker threads do not
 * share it): the Lambda environments' cold starts stay their own.
 */
function enableCompileCache() {
  module.enableCompileCache?.();
}

function fail(line) {
  process.stderr.write(`fanout-bench: ${line}\n`);
  process.exit(2);
}
