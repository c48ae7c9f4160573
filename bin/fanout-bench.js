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
import('../common/program-entry.js').then(({ runProgram }) => runProgram(new URL('../src/cli.ts', import.meta.url)));
