import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * A test file's own temporary directory, removed after its tests, and `scenario(name, text)`
 * writing `<name>.yaml` into it.
 */
export function scenarioFiles(prefix: string): { dir: string; scenario: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    scenario: (name, text) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, text);
      return file;
    },
  };
}
