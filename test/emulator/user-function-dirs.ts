import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../fixtures/user-functions/', import.meta.url));

/**
 * test/fixtures/user-functions copied outside the checkout, as a deployment would have it: inside
 * it, Node would find the repository's node_modules (and its `"type": "module"`) by looking up.
 */
export async function deployedUserFunctions(): Promise<{ dir: (name: string) => string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'fanout-user-functions-'));
  await cp(FIXTURES, root, { recursive: true });
  return { dir: (name) => join(root, name), remove: () => rm(root, { recursive: true, force: true }) };
}
