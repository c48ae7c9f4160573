#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so a checkout works without a build step.
import { unsupportedNode } from './node-support.js';

// Refuse an unsupported Node in one line, before the loader (which may not run on it) is loaded.
const unsupported = unsupportedNode(process.versions.node);
if (unsupported) {
  process.stderr.write(`fanout-bench: ${unsupported}\n`);
  process.exit(2);
}

// Node 20 is still supported here (the machine's Node); the SDK's upgrade notice is noise on every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { register } = await import('tsx/esm/api');
register();
await import('../src/cli.ts');
