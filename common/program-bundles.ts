import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, transform, type Plugin } from 'esbuild';
import { PACKAGE_ROOT } from './package-paths.ts';

/**
 * The last step of `npm run build`: each program's compiled entry in dist/ (the CLI, the stack
 * program, a load shard) replaced by a bundle of it, the modules it imports and most of their
 * dependencies. A process spends most of its start loading modules (the AWS SDK's CommonJS above
 * all: `--help` took 1.0-1.2 CPU-s, as one file 0.45-0.6), and the tests start hundreds of them.
 *
 * What stays a module of its own, imported at run time:
 * - packages that find files of their own from where they sit (esbuild's binary, tsx's loader,
 *   dynalite's actions, the CDK assembly schema's JSON) or are not the programs' (Playwright);
 * - dist/'s other files, which the programs start by path: the Lambda worker and the DynamoDB
 *   thread (emulator/), the shard and stack entries.
 * Each module's `import.meta.url` is rewritten to its own file's URL, so what it finds beside
 * itself (siblingModule, a worker's path, the package root) it finds as before.
 *
 * A dynamic `import()` (the CLI's commands, src/cli.ts) becomes a chunk of its own, written beside
 * the entry as `<entry>-<name>-<hash>.js` and parsed only when imported: as one file, the CLI
 * parsed every command's code at each start (`stack --help` 0.49 CPU-s, 0.30 split: bench/RESULTS.md).
 */
export const PROGRAMS = ['dist/src/cli.js', 'dist/emulator/main.js', 'dist/src/fleet/shard-main.js'] as const;

/** Imported at run time, not bundled: they read files relative to their own location. */
export const UNBUNDLED_PACKAGES = ['esbuild', 'tsx', 'dynalite', '@aws-cdk/cloud-assembly-schema', 'playwright-core', 'bufferutil', 'utf-8-validate'];

/** CommonJS inside an ES module: `require` for the dependencies that call it. */
const BANNER = "import { createRequire as __fanoutCreateRequire } from 'node:module'; const require = __fanoutCreateRequire(import.meta.url);";

/**
 * `import.meta.url` of every file of dist/ put in the bundle: its own file's URL, relative to the
 * bundle's. Replaced in the syntax tree (esbuild's define), not in the text: some modules hold the
 * words in strings (a banner, a define of their own) that must stay as written.
 */
function ownImportMetaUrl(outDir: string, distDir: string): Plugin {
  const dist = distDir + sep;
  return {
    name: 'own-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, async (args) => {
        if (!args.path.startsWith(dist)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const { code } = await transform(text, { format: 'esm', define: { 'import.meta.url': '__fanoutOwnUrl' }, logLevel: 'silent' });
        if (!code.includes('__fanoutOwnUrl')) return undefined; // only in strings or comments
        const rel = relative(outDir, args.path).split(sep).join('/');
        return { contents: `const __fanoutOwnUrl = new URL(${JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`)}, import.meta.url).href;\n${code}`, loader: 'js' };
      });
    },
  };
}

/** Bundles one program's entry (a path under `root`, in its dist/) in place. */
export async function bundleProgram(entry: string, root = PACKAGE_ROOT): Promise<void> {
  const file = join(root, entry);
  const dir = dirname(file);
  // Built into a folder of its own, then moved beside the entry: the entry is one of its inputs.
  const out = `${file}.bundle`;
  await build({
    entryPoints: [file],
    outdir: out,
    entryNames: '[name]',
    chunkNames: `${basename(file, '.js')}-[name]-[hash]`,
    splitting: true,
    bundle: true,
    platform: 'node',
    // ES modules first, where a package ships both: esbuild then drops what no program uses
    // (the AWS SDK clients' unused commands and models), which CommonJS would keep and evaluate.
    mainFields: ['module', 'main'],
    format: 'esm',
    target: 'node20',
    external: UNBUNDLED_PACKAGES,
    banner: { js: BANNER },
    plugins: [ownImportMetaUrl(dir, join(root, 'dist'))],
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const built of readdirSync(out)) renameSync(join(out, built), join(dir, built));
  rmSync(out, { recursive: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const entry of PROGRAMS) await bundleProgram(entry);
}
