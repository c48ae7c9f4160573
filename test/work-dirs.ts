import { afterAll } from 'vitest';
import { removeWorkDirsNow } from '../emulator/stack-model/work-dirs.ts';

// A setup file (vitest.config.ts): the work directories of stacks a test file described and did
// not dispose of (unpacked zips, inline code) are removed when the file ends. describeStack removes
// them at the latest when the process exits, but vitest ends its worker processes with a signal,
// which runs no exit handler, and they were left in the temp directory.
afterAll(() => removeWorkDirsNow());
