// The stack program's process entry, as the harness's launcher spawns it (src/local-stack/stack-launcher.ts):
// TypeScript run through tsx's loader as the CLI is (common/typescript-entry.js; the launcher
// picks the Node of the emulated runtime, and one too old for the loader is refused in one line),
// then main.ts reads its launch object and starts the stack.
import { runTypeScript } from '../common/typescript-entry.js';

await runTypeScript(new URL('./main.ts', import.meta.url));
