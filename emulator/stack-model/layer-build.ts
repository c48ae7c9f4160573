import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { installDependencies, missingDependencies } from '../lambda/bundling/npm-dependencies.ts';
import { overlay } from './folder-overlay.ts';
import type { StackTemplate } from './stack-template.ts';
import { templateError } from './template-errors.ts';

/**
 * A layer whose `Metadata: BuildMethod` asks `sam build` to build it, loaded as `sam build` leaves
 * it (SAM CLI's ApplicationBuilder._build_layer and workflow_config.get_layer_subfolder): the
 * ContentUri folder is the source, built into the subfolder Lambda's runtimes look in under /opt,
 * `nodejs/` for a nodejsNN.x BuildMethod (its package.json's dependencies npm-installed beside the
 * source), `python/` for python3.NN (requirements.txt pip-installed), and whatever the Makefile
 * writes for `makefile`. In order:
 * - a content folder already laid out (`nodejs/`, `python/`: the built template
 *   `.aws-sam/build/template.yaml` points at it) loads as it is;
 * - `.aws-sam/build/<LayerLogicalId>` beside the template (a `sam build` already run) loads as built;
 * - a Node layer is laid out in the work directory, its dependencies those installed in the
 *   folder, or installed now into the cache as `sam build` would (npm-dependencies.ts); npm
 *   failing is one line naming the layer and what to run;
 * - a Python layer whose requirements are importable from its folder is laid out as it is; pip is
 *   not run here, so one that is not is one line saying to run `sam build`;
 * - a Makefile layer, or a BuildMethod of a runtime the emulator does not run, not built: one line.
 * A layer without BuildMethod is its content as it is (SAM does not build it either).
 */
export async function layerAsBuilt(t: StackTemplate, layerId: string, content: string, workDir: string): Promise<string> {
  const method = t.resources[layerId]?.Metadata?.BuildMethod;
  if (method === undefined) return content;
  const at = ['Resources', layerId, 'Metadata', 'BuildMethod'];
  const subfolder = typeof method === 'string' ? layerSubfolder(method) : undefined;
  if (subfolder === undefined) throw templateError(t.file, at, `${JSON.stringify(method)}: the emulator builds nodejsNN.x and python3.NN layers as \`sam build\` does (makefile ones after \`sam build\`)`);
  if (subfolder !== '' && isDirectory(join(content, subfolder))) return content;
  const built = join(dirname(t.file), '.aws-sam', 'build', layerId);
  if (!content.split(sep).includes('.aws-sam') && isDirectory(built)) return built;
  const run = `run \`sam build\` and give .aws-sam/build/template.yaml`;
  if (subfolder === '') {
    if (content.split(sep).includes('.aws-sam')) return content;
    throw templateError(t.file, at, `makefile: the layer is built by its Makefile, which the emulator does not run: ${run}`);
  }
  const target = join(workDir, 'layers', layerId);
  rmSync(target, { recursive: true, force: true });
  if (subfolder === 'python') {
    const missing = missingRequirements(content);
    if (missing.length > 0) {
      throw templateError(t.file, at, `${method}: requirements.txt names ${missing.join(', ')}, not installed in ${content}; \`sam build\` pip-installs them into the layer's python/, which the emulator does not: ${run}`);
    }
    overlay(content, join(target, 'python'));
    return target;
  }
  const missing = missingDependencies(content);
  if (missing.length === 0) {
    overlay(content, join(target, 'nodejs'));
    return target;
  }
  const installed = await installDependencies(content);
  if ('error' in installed) {
    throw templateError(t.file, at, `${method}: package.json's dependencies (${missing.join(', ')}) are not installed in ${content}, and ${installed.error}: ${run}, or \`npm ci\` in ${content}`);
  }
  // `sam build`'s layout: the source beside the dependencies its package.json names, under nodejs/
  overlay(content, join(target, 'nodejs'), new Set(['node_modules']));
  overlay(installed.nodeModules, join(target, 'nodejs', 'node_modules'));
  return target;
}

/** The folder of /opt a BuildMethod builds into (SAM CLI's get_layer_subfolder), '' for makefile; undefined for one the emulator does not build. */
function layerSubfolder(method: string): string | undefined {
  if (/^nodejs\d+\.x$/.test(method)) return 'nodejs';
  if (/^python3\.\d+$/.test(method)) return 'python';
  if (method === 'makefile') return '';
  return undefined;
}

/** PEP 503's normal form of a distribution name: what pip's `<name>-<version>.dist-info` folders and imports are compared by. */
const normal = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '_');

/** The requirements.txt names not installed in the folder (no `<name>-*.dist-info`, no module or package of that name). */
function missingRequirements(dir: string): string[] {
  const file = join(dir, 'requirements.txt');
  if (!existsSync(file)) return [];
  const entries = readdirSync(dir);
  const installed = new Set(entries.map((e) => normal(e.replace(/-[^-]*\.(dist|egg)-info$/, '').replace(/\.py$/, ''))));
  const names = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('-'))
    .map((l) => /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(l)?.[0])
    .filter((n): n is string => n !== undefined);
  return names.filter((n) => !installed.has(normal(n)));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
