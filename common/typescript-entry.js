// How a process of either program starts (the CLI, bin/fanout-bench.js; the stack program,
// emulator/bootstrap.js): an unsupported Node is refused in one line before tsx's
// loader (which may not run on it) is loaded, then the TypeScript entry runs through that
// loader, so a checkout works without a build step.
import { unsupportedNode } from './node-support.js';

/** Runs the TypeScript module at `entry` (a file URL) in this process. */
export async function runTypeScript(entry) {
  const unsupported = unsupportedNode(process.versions.node);
  if (unsupported) {
    process.stderr.write(`fanout-bench: ${unsupported}\n`);
    process.exit(2);
  }
  // Node 20 is still supported here (the machine's Node); the SDK's upgrade notice is noise on every start.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { register } = await import('tsx/esm/api');
  register();
  await import(entry.href);
}
