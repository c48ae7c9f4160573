import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { moduleImports } from './module-imports.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The files fanout-bench runs, relative to the checkout, in two sets:
 *
 * - `compiled`: what `npm run build` compiles to dist/, read from tsconfig.build.json itself:
 *   bin/, common/, src/ and emulator/ (TypeScript and the .js entries), less the browser scripts of
 *   src/report/shared/assets (read as text and inlined into pages, never loaded by Node) and the
 *   declaration files (types only). Every process starts in it: the CLI (bin/fanout-bench.js →
 *   common/program-entry.js → src/cli.ts, which loads each command's module), the stack program
 *   (emulator/bootstrap.js), a load shard (src/fleet/shard-bootstrap.js) and the emulator's
 *   worker threads. The package runs them from dist/. With them, what they import from elsewhere:
 *   reference-stack/infra/synthesize.ts, which synthesizes the reference stack in a checkout
 *   (emulator/stack-model/reference-assembly.ts) by running the CDK CLI, importing none of it.
 * - `bundled`: reference-stack/functions/, the chat Lambdas, and the files they import by
 *   relative path (common/chat-protocol.ts). The emulator bundles them with esbuild from these
 *   sources at `stack up` (emulator/lambda/bundling/bundle.ts), resolving their packages in the package's
 *   node_modules, so they ship as written; the emulator also imports the functions' manifest,
 *   tables and stack names (compiled into dist/ with it).
 *
 * Not run by the tool: test/, bench/, docs/, .ci/; the CDK app (the rest of reference-stack/infra:
 * aws-cdk-lib and constructs, run by `npm run cdk` or the CDK CLI in a checkout); artillery/ (Artillery's own package: its
 * engine, artillery/engine/src, is bundled by `artillery export` from the checkout and imports
 * nothing but src/ modules, walked here, and Node's built-ins).
 */
export function runtimeFiles(): { compiled: string[]; bundled: string[] } {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.build.json'), ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const included = parsed.fileNames.filter((f) => !f.endsWith('.d.ts')).map((f) => relative(ROOT, f));
  const bundled = relativeClosure(sourcesUnder('reference-stack/functions'));
  // and what they import from outside the trees it includes, compiled with them
  const compiled = relativeClosure(included).filter((f) => included.includes(f) || !bundled.includes(f));
  return { compiled, bundled };
}

/** `files` and every file they load by relative path, and theirs (paths relative to the checkout), sorted. */
export function relativeClosure(files: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { specifier } of moduleImports(join(ROOT, file))) if (specifier.startsWith('.')) visit(relative(ROOT, join(ROOT, dirname(file), specifier)));
  };
  for (const f of files) visit(f);
  return [...seen].sort();
}

/** The compiled counterpart of a file of `compiled`, as the package holds it. */
export function distPath(file: string): string {
  return join('dist', file.replace(/\.ts$/, '.js'));
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.[cm]?[jt]s$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}
