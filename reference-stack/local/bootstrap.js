// The stack program's process entry, as the harness's launcher spawns it (src/targets/stack-launcher.ts):
// TypeScript run through tsx's loader, registered from a plain .js file as the CLI does
// (bin/fanout-bench.js), then main.ts reads its launch object and starts the stack.
import { unsupportedNode } from '../../bin/node-support.js';

// The launcher picks the Node of the emulated runtime; one too old for the loader is refused in one line.
const unsupported = unsupportedNode(process.versions.node);
if (unsupported) {
  process.stderr.write(`fanout-bench: ${unsupported}\n`);
  process.exit(2);
}

// The SDK's notice about Node 20's end of support is noise on every start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { register } = await import('tsx/esm/api');
register();
await import('./main.ts');
