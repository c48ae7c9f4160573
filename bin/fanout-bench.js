#!/usr/bin/env node
// The CLI: its TypeScript through tsx in a checkout, compiled in the package (common/program-entry.js).
// The Node check runs first and alone, before program-entry.js is even parsed: this file and
// node-support.js use no syntax newer than Node 12's, no top-level await, so an old Node gets the
// one line (exit 2) instead of a SyntaxError from code it cannot read.
import { unsupportedNode } from '../common/node-support.js';

const unsupported = unsupportedNode(process.versions.node);
if (unsupported) {
  process.stderr.write(`fanout-bench: ${unsupported}\n`);
  process.exit(2);
}
// The AWS SDK's nine-line notice on Node 20 (its releases after January 2027 need Node 22) is
// about upgrading the SDK, not about this run: it led every console. The package's engines and
// lockfile say which Node and SDK go together; a user who wants the notice sets the variable.
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import('../common/program-entry.js').then(({ runProgram }) => runProgram(new URL('../src/cli.ts', import.meta.url)));
