#!/usr/bin/env node
// The CLI: its TypeScript through tsx in a checkout, compiled in the package (common/program-entry.js).
import { runProgram } from '../common/program-entry.js';

await runProgram(new URL('../src/cli.ts', import.meta.url));
