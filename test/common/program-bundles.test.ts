import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleProgram } from '../../common/program-bundles.ts';

/**
 * `npm run build`'s last step: a program's entry made one file with what it imports, each module
 * still knowing its own file (`import.meta.url`), as the unbundled build did. With real esbuild,
 * on a small tree of its own, run by Node.
 */
const root = mkdtempSync(join(tmpdir(), 'fb-program-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = join(root, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('program bundles', () => {
  it('inlines the modules, each with its own import.meta.url; the words in a string stay as written', async () => {
    const inner = write(
      'dist/emulator/lambda/inner.js',
      [
        "export const own = import.meta.url;",
        "export const sibling = new URL('./worker.js', import.meta.url).href;",
        // a banner another bundle is given: text, not this module's URL
        "export const banner = \"const require = createRequire(import.meta.url);\";",
        '',
      ].join('\n'),
    );
    const entry = write(
      'dist/src/cli.js',
      ["import { own, sibling, banner } from '../emulator/lambda/inner.js';", 'console.log(JSON.stringify({ own, sibling, banner, entry: import.meta.url }));', ''].join('\n'),
    );
    await bundleProgram('dist/src/cli.js', root);
    const bundled = readFileSync(entry, 'utf8');
    expect(bundled).not.toMatch(/from ['"]\.\.\/emulator/); // inlined, not imported
    const printed = JSON.parse(execFileSync(process.execPath, [entry], { encoding: 'utf8' }));
    expect(printed).toEqual({
      own: pathToFileURL(inner).href,
      sibling: pathToFileURL(join(root, 'dist/emulator/lambda/worker.js')).href,
      banner: 'const require = createRequire(import.meta.url);',
      entry: pathToFileURL(entry).href,
    });
  });

  it('leaves the packages that find their own files to be imported at run time', async () => {
    write('dist/src/shard-main.js', "import { version } from 'esbuild';\nconsole.log(version);\n");
    await bundleProgram('dist/src/shard-main.js', root);
    expect(readFileSync(join(root, 'dist/src/shard-main.js'), 'utf8')).toMatch(/from\s*"esbuild"/);
  });

  it('a dynamic import is a chunk beside the entry, evaluated only when imported, knowing its own module\'s URL', async () => {
    const command = write('dist/lazy/commands/heavy.js', "globalThis.heavyLoaded = true;\nexport const own = import.meta.url;\n");
    const entry = write(
      'dist/lazy/cli.js',
      [
        'const before = globalThis.heavyLoaded === true;',
        "const { own } = process.argv[2] === 'heavy' ? await import('./commands/heavy.js') : { own: null };",
        'console.log(JSON.stringify({ before, own }));',
        '',
      ].join('\n'),
    );
    await bundleProgram('dist/lazy/cli.js', root);
    const chunks = readdirSync(join(root, 'dist/lazy')).filter((f) => f !== 'cli.js' && f.endsWith('.js'));
    expect(chunks).toEqual([expect.stringMatching(/^cli-heavy-[A-Z0-9]+\.js$/)]);
    // the command's code is in its chunk, not in the entry
    expect(readFileSync(entry, 'utf8')).not.toMatch(/heavyLoaded\s*=\s*(!0|true)/);
    expect(readFileSync(join(root, 'dist/lazy', chunks[0]!), 'utf8')).toMatch(/heavyLoaded\s*=\s*(!0|true)/);
    expect(JSON.parse(execFileSync(process.execPath, [entry], { encoding: 'utf8' }))).toEqual({ before: false, own: null });
    expect(JSON.parse(execFileSync(process.execPath, [entry, 'heavy'], { encoding: 'utf8' }))).toEqual({ before: false, own: pathToFileURL(command).href });
  });
});
