import { mkdir, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

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
