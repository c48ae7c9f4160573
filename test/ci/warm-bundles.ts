import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack } from '../../emulator/stack.ts';

/**
 * CI's warm-up of the bundles the suite's in-process stacks share (.ci/run): one start of the
 * reference stack as its manifest describes it, in this process, on TypeScript, as the tests that
 * swap in functions of their own or start the default stack in process do (startStack without a
 * described stack). It bundles the manifest's functions and the TypeScript worker into the
 * bundle cache, so those tests find them built instead of bundling them all at once on a cold
 * cache. (`stack up` runs the cloud assembly, whose functions come bundled.)
 */
const stack = await startStack({ config: defaultStackConfig({ lambda: { preparedPerFunction: 0 } }), log: () => {} });
await stack.close();
