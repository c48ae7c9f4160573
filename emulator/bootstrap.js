// The stack program's process entry, as the harness's launcher spawns it (src/local-stack/stack-launcher.ts):
// started as the CLI is (common/program-entry.js; the launcher picks the Node of the emulated
// runtime, and one too old is refused in one line), then main.ts reads its launch object and
// starts the stack.
import { runProgram } from '../common/program-entry.js';

await runProgram(new URL('./main.ts', import.meta.url));
