// A load shard's process entry, forked by fleet.ts: started as the CLI is (common/program-entry.js),
// from a plain .js file so forking works from the CLI and from vitest alike.
import { runProgram } from '../../common/program-entry.js';

await runProgram(new URL('./shard-main.ts', import.meta.url));
