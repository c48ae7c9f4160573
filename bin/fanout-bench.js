#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader (common/typescript-entry.js).
import { runTypeScript } from '../common/typescript-entry.js';

await runTypeScript(new URL('../src/cli.ts', import.meta.url));
