import { mkdir, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { installedAwsSdkV2, missingAwsSdkV2 } from '../../../common/aws-sdk-v2.ts';
import { UserError } from '../../../common/errors.ts';
import type { RuntimeShips } from '../../../common/lambda-runtimes.ts';

/**
 * What a Node.js runtime offers code as written, by what it ships (common/lambda-runtimes.ts):
 * each a module directory for NODE_PATH and the ESM hook.
 */
export type SdkModules = Partial<Record<Extract<RuntimeShips, 'aws-sdk-v2' | 'aws-sdk-v3'>, string>>;

/**
 * The AWS SDK v3 that Lambda's Node.js runtimes (nodejs18.x and later) bundle: a function may
 * `require('@aws-sdk/client-dynamodb')` or `import` it without shipping it. Lambda puts
 * /var/runtime/node_modules on NODE_PATH; the emulator offers its own SDK the same way, from a
 * directory holding only the packages Lambda's runtime has (`@aws-sdk/*`, `@smithy/*`), linked to
 * the emulator's node_modules, so a function cannot lean on anything else the emulator happens to
 * have installed (zod, vitest…) that it would lack on Lambda. What a function ships itself wins,
 * as on Lambda (its nearest node_modules comes before NODE_PATH).
 */
const OFFERED_SCOPES = ['@aws-sdk', '@smithy'];

/** The emulator's node_modules (where its own @aws-sdk clients are installed). */
function emulatorNodeModules(): string {
  const resolved = createRequire(import.meta.url).resolve('@aws-sdk/client-dynamodb');
  return resolved.slice(0, resolved.lastIndexOf('/@aws-sdk/'));
}

/**
 * Make `<runtimeDir>/node_modules` hold links to the offered scopes; returns it (for NODE_PATH and
 * the ESM hook). Idempotent: stacks sharing a bundle directory may race to create the links.
 */
export async function bundledSdkModules(runtimeDir: string): Promise<string> {
  const dir = join(runtimeDir, 'node_modules');
  await mkdir(dir, { recursive: true });
  const source = emulatorNodeModules();
  for (const scope of OFFERED_SCOPES) {
    try {
      await symlink(join(source, scope), join(dir, scope), 'dir');
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
  }
  return dir;
}

/**
 * The AWS SDK v2 that Lambda's nodejs16.x and older runtimes bundle, offered the same way: a
 * directory beside the runtime's holding only `aws-sdk`, linked to the copy `stack install-node`
 * fetched into the cache (common/aws-sdk-v2.ts). Its own dependencies resolve from where it
 * really is. Missing: one line naming the command that fetches it (exit 2).
 */
export async function awsSdkV2Modules(runtimeDir: string, runtime: string): Promise<string> {
  const sdk = installedAwsSdkV2();
  if (sdk === undefined) throw new UserError(missingAwsSdkV2(runtime));
  const dir = join(dirname(runtimeDir), 'runtime-sdk-v2', 'node_modules');
  await mkdir(dir, { recursive: true });
  try {
    await symlink(sdk, join(dir, 'aws-sdk'), 'dir');
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  }
  return dir;
}
