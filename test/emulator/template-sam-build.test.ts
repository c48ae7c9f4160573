import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { findFunction } from '../../emulator/stack-model/stack-description.ts';
import { websocketTemplates } from './websocket-template.ts';

/**
 * What `sam build` builds, read as it leaves it (issue 67: a layer whose Metadata BuildMethod is
 * nodejs18.x was loaded unbuilt, `Cannot find module 'jsonwebtoken'`): a Node layer's package.json
 * dependencies installed under nodejs/ (by real npm, from a tarball this file packs, so no
 * registry is asked), a layer already built by `sam build` or installed in its folder used as it
 * is, a SAM function's own package.json dependencies installed too, and what cannot be built here
 * (npm failing, a Python layer's requirements, a Makefile) one line naming the resource and what to run.
 */
const { read, dir } = websocketTemplates('template-sam-build-');
process.env.FANOUT_BENCH_DEPENDENCY_CACHE = join(dir, 'dependency-cache');

let tarball: string;
beforeAll(() => {
  const pkg = join(dir, 'greeting');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'greeting', version: '1.0.0', main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), "module.exports = () => 'hello from a layer';\n");
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: pkg, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  tarball = join(dir, name);
}, 60_000);

/** A folder of the case holding `files` (path → content). */
function folder(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const layered = (layer: Record<string, unknown>) => ({
  Fn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: "exports.handler = async () => require('greeting')();" }, Layers: [{ Ref: 'Deps' }] } },
  Deps: { Type: 'AWS::Serverless::LayerVersion', ...layer },
});
const sam = { Transform: 'AWS::Serverless-2016-10-31' };

describe('a layer whose Metadata BuildMethod asks sam build to build it', () => {
  it('nodejs20.x, its dependency not installed: installed as sam build does, under nodejs/node_modules', { timeout: 120_000 }, async () => {
    const src = folder('layer-src', { 'package.json': JSON.stringify({ name: 'deps', dependencies: { greeting: `file:${tarball}` } }), 'util.js': 'module.exports = 1;\n' });
    const d = await read(layered({ Properties: { ContentUri: src }, Metadata: { BuildMethod: 'nodejs20.x' } }), { template: sam });
    const opt = findFunction(d, 'Fn')!.opt!;
    expect(readFileSync(join(opt, 'nodejs/node_modules/greeting/index.js'), 'utf8')).toContain('hello from a layer');
    // the source beside them, as sam build lays it out; the folder itself is never written
    expect(existsSync(join(opt, 'nodejs/util.js'))).toBe(true);
    expect(existsSync(join(src, 'node_modules'))).toBe(false);
  });

  it('its dependencies installed in its folder, or built by sam build already: used as they are, npm not run', async () => {
    const installed = folder('layer-installed', { 'package.json': JSON.stringify({ dependencies: { greeting: '1.0.0' } }), 'node_modules/greeting/package.json': '{"name":"greeting"}', 'node_modules/greeting/index.js': 'module.exports = () => 1;' });
    const d = await read(layered({ Properties: { ContentUri: installed }, Metadata: { BuildMethod: 'nodejs20.x' } }), { template: sam });
    expect(existsSync(join(findFunction(d, 'Fn')!.opt!, 'nodejs/node_modules/greeting/index.js'))).toBe(true);
    // `sam build` run already: .aws-sam/build/<LayerLogicalId> beside the template
    const project = folder('project', { 'deps/package.json': JSON.stringify({ dependencies: { greeting: 'file:/nowhere/greeting.tgz' } }), '.aws-sam/build/Deps/nodejs/node_modules/greeting/index.js': 'module.exports = () => 2;' });
    const built = await read(layered({ Properties: { ContentUri: join(project, 'deps') }, Metadata: { BuildMethod: 'nodejs20.x' } }), { template: sam, dir: project });
    expect(realpathSync(findFunction(built, 'Fn')!.opt!)).toBe(realpathSync(join(project, '.aws-sam/build/Deps')));
  });

  it('what cannot be built here: one line naming the layer and what to run', async () => {
    const broken = folder('layer-broken', { 'package.json': JSON.stringify({ dependencies: { greeting: `file:${join(dir, 'no-such.tgz')}` } }) });
    const npm = read(layered({ Properties: { ContentUri: broken }, Metadata: { BuildMethod: 'nodejs18.x' } }), { template: sam });
    await expect(npm).rejects.toThrow(UserError);
    await expect(npm).rejects.toThrow(/resource Deps property Metadata\.BuildMethod: nodejs18\.x: package\.json's dependencies \(greeting\) are not installed in .*layer-broken, and npm install failed: .*: run `sam build` and give \.aws-sam\/build\/template\.yaml, or `npm ci` in .*layer-broken$/);
    const py = folder('layer-py', { 'requirements.txt': 'PyJWT==2.8.0\n# a comment\nrequests>=2\n', 'requests-2.31.0.dist-info/METADATA': '' });
    await expect(read(layered({ Properties: { ContentUri: py }, Metadata: { BuildMethod: 'python3.12' } }), { template: sam })).rejects.toThrow(
      /resource Deps property Metadata\.BuildMethod: python3\.12: requirements\.txt names PyJWT, not installed in .*layer-py; `sam build` pip-installs them into the layer's python\/, which the emulator does not: run `sam build`/,
    );
    const make = folder('layer-make', { Makefile: 'build-Deps:\n\tcp -r . $(ARTIFACTS_DIR)/nodejs\n' });
    await expect(read(layered({ Properties: { ContentUri: make }, Metadata: { BuildMethod: 'makefile' } }), { template: sam })).rejects.toThrow(/Metadata\.BuildMethod: makefile: .*run `sam build`/);
  });

  it('a Python layer whose requirements are installed in its folder: laid out under python/', async () => {
    const py = folder('layer-py-ok', { 'requirements.txt': 'PyJWT==2.8.0\n', 'PyJWT-2.8.0.dist-info/METADATA': '', 'jwt/__init__.py': '' });
    const d = await read({ ...layered({ Properties: { ContentUri: py }, Metadata: { BuildMethod: 'python3.12' } }) }, { template: sam });
    expect(existsSync(join(findFunction(d, 'Fn')!.opt!, 'python/jwt/__init__.py'))).toBe(true);
  });
});

describe("a SAM function's own package.json", () => {
  it('its dependencies installed as sam build installs them, beside a linked copy of its code; the folder unwritten', { timeout: 120_000 }, async () => {
    const src = folder('fn-src', { 'package.json': JSON.stringify({ dependencies: { greeting: `file:${tarball}` } }), 'app.js': "exports.handler = async () => require('greeting')();\n" });
    const d = await read({ Fn: { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs20.x', Handler: 'app.handler', CodeUri: src } } }, { template: sam });
    const code = findFunction(d, 'Fn')!.code as { dir: string; shownAs?: { package: string } };
    expect(code.dir).not.toBe(src);
    expect(existsSync(join(code.dir, 'node_modules/greeting/index.js'))).toBe(true);
    expect(existsSync(join(code.dir, 'app.js'))).toBe(true);
    expect(existsSync(join(src, 'node_modules'))).toBe(false);
  });
});

describe('a SAM function whose Metadata BuildMethod is esbuild (sam init\'s TypeScript templates)', () => {
  const tsFunction = (codeUri: string, handler: string, build: Record<string, unknown>) => ({
    Fn: { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs20.x', Handler: handler, CodeUri: codeUri }, Metadata: { BuildMethod: 'esbuild', BuildProperties: build } },
  });
  /** The built handler module, loaded as the Node runtime loads a CommonJS file, and called. */
  const call = async (file: string, name: string) => ((await import(file)) as { default: Record<string, () => Promise<unknown>> }).default[name]!();

  it("bundled as sam build bundles it: TypeScript, its package.json's dependencies installed and inlined, CommonJS, minified", { timeout: 120_000 }, async () => {
    const src = folder('fn-ts', {
      'package.json': JSON.stringify({ dependencies: { greeting: `file:${tarball}` } }),
      'app.ts': "import greet from 'greeting';\nexport const lambdaHandler = async (): Promise<string> => {\n  const said: string = greet();\n  return said;\n};\n",
    });
    const d = await read(tsFunction(src, 'app.lambdaHandler', { Target: 'es2020', EntryPoints: ['app.ts'] }), { template: sam });
    const code = findFunction(d, 'Fn')!.code as { kind: string; dir: string; handler: string };
    expect(code).toMatchObject({ kind: 'handler', handler: 'app.lambdaHandler' });
    const built = readFileSync(join(code.dir, 'app.js'), 'utf8');
    // minified by default, and the dependency inlined: nothing left to require
    expect(built.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(built).not.toMatch(/require\("greeting"\)/);
    expect(await call(join(code.dir, 'app.js'), 'lambdaHandler')).toBe('hello from a layer');
    expect(existsSync(join(src, 'node_modules'))).toBe(false);
  });

  it('BuildProperties as sam build passes them: an entry point without extension, ESM with OutExtension, External, Minify false', async () => {
    const src = folder('fn-esm', {
      'src/handlers/hello.ts': "import { greet } from 'left-out';\nexport const handler = async () => greet();\n",
    });
    const d = await read(tsFunction(src, 'hello.handler', { Format: 'esm', OutExtension: ['.js=.mjs'], External: ['left-out'], Minify: false, EntryPoints: ['src/handlers/hello'] }), { template: sam });
    const code = findFunction(d, 'Fn')!.code as { dir: string };
    const built = readFileSync(join(code.dir, 'hello.mjs'), 'utf8');
    expect(built).toMatch(/from "left-out"/);
    expect(built).toMatch(/^export \{/m);
  });

  it('code sam build already bundled (the built template under .aws-sam) loads as it is', async () => {
    const project = folder('built-project', { '.aws-sam/build/Fn/app.js': 'exports.lambdaHandler = async () => "built";\n' });
    const d = await read(tsFunction(join(project, '.aws-sam/build/Fn'), 'app.lambdaHandler', { EntryPoints: ['app.ts'] }), { template: sam, dir: project });
    expect((findFunction(d, 'Fn')!.code as { dir: string }).dir).toBe(join(project, '.aws-sam/build/Fn'));
  });

  it('what cannot be bundled: one line naming the resource, the property and what esbuild said', async () => {
    const src = folder('fn-broken', { 'app.ts': "import { x } from './missing';\nexport const handler = async () => x;\n", 'bad.ts': 'export const handler = async ( => 1;\n' });
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /resource Fn property Metadata\.BuildProperties\.EntryPoints: missing: `sam build` bundles the entry points it names/],
      [{ EntryPoints: ['nope'] }, /resource Fn property Metadata\.BuildProperties\.EntryPoints: nope: no such file in .*fn-broken \(nor \.ts or \.js\)$/],
      [{ EntryPoints: ['app.ts'], Format: 'amd' }, /Metadata\.BuildProperties\.Format: amd: must be cjs, esm, iife$/],
      [{ EntryPoints: ['app.ts'] }, /resource Fn property Metadata\.BuildMethod: esbuild: Could not resolve "\.\/missing" \(app\.ts:1\), bundling as `sam build` does$/],
      [{ EntryPoints: ['bad.ts'] }, /resource Fn property Metadata\.BuildMethod: esbuild: .* \(bad\.ts:1\), bundling as `sam build` does$/],
    ];
    for (const [build, message] of cases) {
      const r = read(tsFunction(src, 'app.handler', build), { template: sam });
      await expect(r).rejects.toThrow(UserError);
      await expect(r).rejects.toThrow(message);
    }
  });
});
