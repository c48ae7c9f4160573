import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { isGoRuntime, isProvidedRuntime, isPythonRuntime, runsInWorker, type LambdaRuntimeId } from '../../common/lambda-runtimes.ts';
import { installDependencies, missingDependencies } from '../lambda/bundling/npm-dependencies.ts';
import { executableProblem } from '../lambda/runtimes/host-runtimes.ts';
import type { FunctionCode } from './stack-description.ts';
import { overlay } from './folder-overlay.ts';
import { templateError } from './template-errors.ts';
import { extractZip } from './zip-extract.ts';
import { functionAsBuilt } from './function-build.ts';

/**
 * Where a function's code is on this machine, as deployed: a directory loaded as written, a zip
 * unpacked into the work directory, or inline `ZipFile` source written out as `index.js` (or
 * `index.py` for Python: the file Lambda makes of it). Each format knows its own local code (SAM's CodeUri, a CDK asset, a
 * Serverless package's zip, `aws cloudformation package`'s local Code path); code that is only
 * in S3 is refused, since there is nothing here to run.
 */
export interface CodeSource {
  /** The local directory or zip holding the function's code (an absolute path); undefined when the format has none for it. */
  localCode(logicalId: string, code: unknown): string | undefined;
}

/** Lambda's Node.js runtime loads `{dir}/{path}/{module}.js|.mjs|.cjs` for Handler `path/module.export`. */
const HANDLER = /^(?:(.*)\/)?([^./][^/.]*)\.([^/]+)$/;
/** Lambda's Python runtime imports `module` (dots and slashes as package separators) for Handler `[package/]module.function`. */
const PYTHON_HANDLER = /^([^.][^]*)\.([^./]+)$/;

export class FunctionCodeReader {
  private readonly unpacked = new Map<string, string>();

  /** How each code folder is named in messages (`src/http/get-index`, `inline ZipFile`), relative to the template's folder. */
  private readonly shown = new Map<string, string>();

  constructor(
    readonly file: string,
    readonly workDir: string,
    private readonly source: CodeSource,
    /** Layers from outside the template mapped to local folders (the stack config's `template.layers`): ARN → folder. */
    readonly externalLayers: Readonly<Record<string, string>> = {},
    /** a SAM template's functions, which `sam build` builds: a Node function's package.json dependencies are installed as it installs them */
    private readonly samBuilds = false,
  ) {}

  /** `metadata`: the resource's Metadata, where a SAM function's BuildMethod says how `sam build` builds it. */
  async read(logicalId: string, code: unknown, handler: string, runtime: LambdaRuntimeId, metadata?: Record<string, unknown>): Promise<FunctionCode> {
    const at = ['Resources', logicalId, 'Properties', 'Code'];
    const source = await this.directory(logicalId, code, at, runtime);
    const dir = this.samBuilds && runsInWorker(runtime) ? await this.asSamBuilds(logicalId, source, at, metadata) : source;
    const shownAs = { package: this.shown.get(dir) ?? dir, base: dirname(this.file) };
    if (isProvidedRuntime(runtime) || isGoRuntime(runtime)) {
      const problem = executableProblem(runtime, dir, handler);
      if (problem) throw templateError(this.file, at, problem);
      return { kind: 'handler', dir, handler, shownAs };
    }
    if (isPythonRuntime(runtime)) {
      this.checkPythonModule(logicalId, dir, handler);
      return { kind: 'handler', dir, handler, shownAs };
    }
    const m = HANDLER.exec(handler);
    if (!m) throw templateError(this.file, ['Resources', logicalId, 'Properties', 'Handler'], `${JSON.stringify(handler)} is not path/file.export`);
    const modulePath = join(dir, m[1] ?? '', m[2]!);
    if (!['.js', '.mjs', '.cjs'].some((ext) => existsSync(modulePath + ext))) {
      throw templateError(this.file, ['Resources', logicalId, 'Properties', 'Handler'], `${handler}: no ${posix.join(m[1] ?? '', m[2]!)}.js, .mjs or .cjs in ${dir}`);
    }
    return { kind: 'handler', dir, handler, shownAs };
  }

  /** A SAM Node function's code as `sam build` leaves it: bundled where its BuildMethod is esbuild (function-build.ts), else with its dependencies. */
  private async asSamBuilds(logicalId: string, source: string, at: string[], metadata: Record<string, unknown> | undefined): Promise<string> {
    const bundled = await functionAsBuilt(this.file, logicalId, metadata, source, this.workDir);
    if (bundled === undefined) return this.withDependencies(logicalId, source, at);
    return this.shownAsSource(bundled, source);
  }

  /** A built copy of `source`'s code, named in messages as its source is. */
  private shownAsSource(built: string, source: string): string {
    const shown = this.shown.get(source);
    if (shown !== undefined) this.shown.set(built, shown);
    return built;
  }

  /**
   * A SAM function's code as `sam build` leaves it: the dependencies its package.json names,
   * when they are not installed in its folder, installed as `sam build` installs them
   * (npm-dependencies.ts) beside a linked copy of the code in the work directory; npm failing is
   * one line naming the function and what to run. Other formats deploy the folder as it is.
   */
  private async withDependencies(logicalId: string, dir: string, at: string[]): Promise<string> {
    const missing = missingDependencies(dir);
    if (missing.length === 0) return dir;
    const installed = await installDependencies(dir);
    if ('error' in installed) {
      throw templateError(this.file, at, `package.json's dependencies (${missing.join(', ')}) are not installed in ${dir}, which \`sam build\` installs, and ${installed.error}: run \`sam build\` and give .aws-sam/build/template.yaml, or \`npm ci\` in ${dir}`);
    }
    const target = join(this.workDir, 'built', logicalId);
    rmSync(target, { recursive: true, force: true });
    overlay(dir, target, new Set(['node_modules']));
    overlay(installed.nodeModules, join(target, 'node_modules'));
    return this.shownAsSource(target, dir);
  }

  /**
   * A layer's content on this machine (AWS::Lambda::LayerVersion `Content`: a local folder or zip
   * as `sam build` or `aws cloudformation package` leave it, a CDK asset, a Serverless package's
   * zip), unpacked when a zip: what Lambda extracts into /opt.
   */
  layerContent(logicalId: string, content: unknown): Promise<string> {
    return this.local(logicalId, content, ['Resources', logicalId, 'Properties', 'Content'], 'layer');
  }

  /** The handler's module is in the code (a module, a package, or a compiled one): a missing one is refused here, as a Node handler's file is. */
  private checkPythonModule(logicalId: string, dir: string, handler: string): void {
    const at = ['Resources', logicalId, 'Properties', 'Handler'];
    const m = PYTHON_HANDLER.exec(handler);
    if (!m) throw templateError(this.file, at, `${JSON.stringify(handler)} is not [package/]module.function`);
    const modulePath = join(dir, ...m[1]!.split(/[./]/));
    const found = [`${modulePath}.py`, `${modulePath}.pyc`, join(modulePath, '__init__.py')].some((f) => existsSync(f)) || isDirectory(modulePath);
    if (!found) throw templateError(this.file, at, `${handler}: no ${posix.join(...m[1]!.split(/[./]/))}.py (nor that package) in ${dir}`);
  }

  private async directory(logicalId: string, code: unknown, at: string[], runtime: LambdaRuntimeId): Promise<string> {
    const inline = (code as { ZipFile?: unknown } | undefined)?.ZipFile;
    if (inline !== undefined) {
      if (typeof inline !== 'string') throw templateError(this.file, [...at, 'ZipFile'], 'must be the function source as a string');
      if (isProvidedRuntime(runtime) || isGoRuntime(runtime)) throw templateError(this.file, [...at, 'ZipFile'], `inline code is for Node.js and Python functions (CloudFormation's rule): a ${runtime} function needs its executable in a code directory or zip`);
      const dir = join(this.workDir, 'inline', logicalId);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, isPythonRuntime(runtime) ? 'index.py' : 'index.js'), inline);
      this.shown.set(dir, `resource ${logicalId}'s inline ZipFile`);
      return dir;
    }
    return this.local(logicalId, code, at, 'code');
  }

  /** A function's code or a layer's content that is a local folder or zip (unpacked into the work directory). */
  private async local(logicalId: string, code: unknown, at: string[], what: 'code' | 'layer'): Promise<string> {
    // `aws cloudformation package` and SAM read a local path in Code / CodeUri (Content / ContentUri)
    const isLocalPath = typeof code === 'string' && !/^s3:\/\//.test(code);
    const local = isLocalPath ? resolve(dirname(this.file), code) : this.source.localCode(logicalId, code);
    if (local === undefined) {
      const c = (code ?? {}) as { S3Bucket?: unknown; S3Key?: unknown; ImageUri?: unknown };
      const where = typeof code === 'string' ? ` (${code})` : typeof c.S3Bucket === 'string' && typeof c.S3Key === 'string' ? ` (s3://${c.S3Bucket}/${c.S3Key})` : '';
      throw templateError(
        this.file,
        at,
        what === 'code'
          ? `the code is only in S3${where}: the emulator runs local code (a CodeUri directory or zip, a CDK asset, a Serverless package's zip, or ZipFile)`
          : `the layer's content is only in S3${where}: the emulator loads local layers (a ContentUri or Content folder or zip, a CDK asset, a Serverless package's zip)`,
      );
    }
    const shown = relative(dirname(this.file), local) || '.';
    let st;
    try {
      st = statSync(local);
    } catch {
      throw templateError(this.file, at, `${local} does not exist`);
    }
    if (st.isDirectory()) {
      this.shown.set(local, shown);
      return local;
    }
    if (!st.isFile() || !local.endsWith('.zip')) throw templateError(this.file, at, `${local} is neither a directory nor a .zip`);
    const done = this.unpacked.get(local);
    if (done) return done;
    const target = join(this.workDir, 'unzipped', `${basename(local, '.zip')}-${createHash('sha256').update(local).digest('hex').slice(0, 8)}`);
    // a work directory reused from an earlier read: unpack afresh
    rmSync(target, { recursive: true, force: true });
    await extractZip(local, target, { what: `${this.file}: resource ${logicalId} property ${what === 'code' ? 'Code' : 'Content'} (${basename(local)})` });
    this.unpacked.set(local, target);
    this.shown.set(target, shown);
    return target;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
