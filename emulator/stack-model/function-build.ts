import { existsSync, rmSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import type { BuildOptions, Format, Loader } from 'esbuild';
import { installDependencies, missingDependencies } from '../lambda/bundling/npm-dependencies.ts';
import { templateError } from './template-errors.ts';

/**
 * A SAM function whose `Metadata: BuildMethod: esbuild` asks `sam build` to bundle it (what
 * `sam init`'s TypeScript templates write), built as `sam build` builds it (aws-lambda-builders'
 * nodejs_npm_esbuild workflow): the package.json dependencies installed beside the source
 * (npm-dependencies.ts, when they are not installed in its folder), then esbuild with
 * `--bundle --platform=node --outdir=<artifacts>` and, unless BuildProperties set them,
 * `--target=es2020 --format=cjs --minify`; EntryPoints are relative to CodeUri, one without an
 * extension found as `.ts`, then `.js`. The handler is then looked for in what esbuild wrote
 * (`app.lambdaHandler` → app.js), as Lambda looks for it in what `sam build` uploads.
 * Code already built (under `.aws-sam`: the built template points there) loads as it is.
 */

/** BuildProperties as SAM passes them to esbuild (aws-lambda-builders' SUPPORTED_ESBUILD_APIS_*), by their template names. */
interface BuildProperties {
  EntryPoints?: unknown;
  Minify?: unknown;
  Sourcemap?: unknown;
  Target?: unknown;
  Format?: unknown;
  MainFields?: unknown;
  SourcesContent?: unknown;
  External?: unknown;
  Loader?: unknown;
  OutExtension?: unknown;
  Banner?: unknown;
}

const FORMATS: readonly Format[] = ['cjs', 'esm', 'iife'];

export async function functionAsBuilt(file: string, logicalId: string, metadata: Record<string, unknown> | undefined, source: string, workDir: string): Promise<string | undefined> {
  if (metadata?.BuildMethod !== 'esbuild') return undefined;
  if (source.split(sep).includes('.aws-sam')) return source;
  const at = ['Resources', logicalId, 'Metadata', 'BuildProperties'];
  const p = (metadata.BuildProperties ?? {}) as BuildProperties;
  const fail = (prop: string, why: string) => templateError(file, [...at, prop], why);
  const list = (prop: keyof BuildProperties): string[] => {
    const v = p[prop];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw fail(prop, 'must be a list of strings');
    return v;
  };
  const entries = list('EntryPoints');
  if (entries.length === 0) throw fail('EntryPoints', 'missing: `sam build` bundles the entry points it names (e.g. [app.ts]), relative to CodeUri');
  const entryPoints = entries.map((e) => entryPath(source, e) ?? failWith(fail('EntryPoints', `${e}: no such file in ${source}${extname(e) ? '' : ' (nor .ts or .js)'}`)));
  const format = p.Format ?? 'cjs';
  if (!FORMATS.includes(format as Format)) throw fail('Format', `${String(format)}: must be ${FORMATS.join(', ')}`);
  const pairs = (prop: keyof BuildProperties) =>
    Object.fromEntries(
      list(prop).map((pair) => {
        const i = pair.indexOf('=');
        if (i <= 0) throw fail(prop, `${pair}: must be key=value, as esbuild's --${kebab(prop)}:key=value`);
        return [pair.slice(0, i), pair.slice(i + 1)];
      }),
    );
  const deps = await dependencies(file, logicalId, source);
  const outdir = join(workDir, 'built', logicalId);
  rmSync(outdir, { recursive: true, force: true });
  const options: BuildOptions = {
    entryPoints,
    absWorkingDir: source,
    bundle: true,
    platform: 'node',
    outdir,
    target: typeof p.Target === 'string' ? p.Target : 'es2020',
    format: format as Format,
    minify: p.Minify === undefined ? true : p.Minify === true,
    sourcemap: p.Sourcemap === true,
    ...(p.SourcesContent !== undefined ? { sourcesContent: String(p.SourcesContent) !== 'false' } : {}),
    ...(typeof p.MainFields === 'string' ? { mainFields: p.MainFields.split(',') } : {}),
    external: list('External'),
    loader: pairs('Loader') as Record<string, Loader>,
    outExtension: pairs('OutExtension'),
    banner: pairs('Banner'),
    ...(deps ? { nodePaths: [deps] } : {}),
    logLevel: 'silent',
  };
  try {
    // loaded here: most templates have no esbuild function, and esbuild's module costs every start
    const { build } = await import('esbuild');
    await build(options);
  } catch (err) {
    const first = (err as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw templateError(file, ['Resources', logicalId, 'Metadata', 'BuildMethod'], `esbuild: ${first ? first.text : (err as Error).message}${where}, bundling as \`sam build\` does`);
  }
  return outdir;
}

/** An entry point relative to CodeUri, as aws-lambda-builders finds it: as written when it has an extension, else `.ts` then `.js`. */
function entryPath(source: string, entry: string): string | undefined {
  const path = join(source, entry);
  const candidates = extname(entry) ? [path] : [`${path}.ts`, `${path}.js`];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** The dependencies package.json names, when its folder lacks them: installed as `sam build` installs them before bundling. */
async function dependencies(file: string, logicalId: string, source: string): Promise<string | undefined> {
  const missing = missingDependencies(source);
  if (missing.length === 0) return undefined;
  const installed = await installDependencies(source);
  if ('error' in installed) {
    throw templateError(file, ['Resources', logicalId, 'Metadata', 'BuildMethod'], `esbuild: package.json's dependencies (${missing.join(', ')}) are not installed in ${source}, and ${installed.error}: run \`sam build\` and give .aws-sam/build/template.yaml, or \`npm ci\` in ${source}`);
  }
  return installed.nodeModules;
}

const kebab = (prop: string) => prop.replace(/[a-z][A-Z]/g, (m) => `${m[0]}-${m[1]}`).toLowerCase();

function failWith(err: Error): never {
  throw err;
}
