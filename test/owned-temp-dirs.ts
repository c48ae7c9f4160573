import { afterAll } from 'vitest';
import { removeOwnedTempDirsNow } from '../emulator/owned-temp-dirs.ts';

// A setup file (vitest.config.ts): the temp folders of stacks and runtimes a test file did not
// dispose of (a stack's work directory, its environments' /tmp folders) are removed when the file
// ends. The emulator removes them at the latest when the process exits, but vitest ends its worker
// processes with a signal, which runs no exit handler, and they were left in the temp directory.
afterAll(() => removeOwnedTempDirsNow());
