// Shard processes run TypeScript the same way the CLI does (bin/fanout-bench.js): tsx's loader
// registered from a plain .js entry, so forking works from the CLI and from vitest alike.
import { register } from 'tsx/esm/api';

register();
await import('./shard-main.ts');
