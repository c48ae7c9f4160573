import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack } from '../../emulator/stack.ts';

/**
 * CI's warm-up of the bundle the suite's in-process stacks share (.ci/run): one start of the
 * default stack in this process, on TypeScript, as the tests that start a stack in process do. It
 * bundles the TypeScript worker into the bundle cache, so those tests find it built instead of
 * bundling it all at once on a cold cache (the reference stack's functions come bundled in its
 * cloud assembly; a test's own functions are its own bundle).
 */
const stack = await startStack({ config: defaultStackConfig({ lambda: { preparedPerFunction: 0 } }), log: () => {} });
await stack.close();
