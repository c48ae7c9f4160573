import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack, type DescribedStack } from '../../emulator/stack-model/describe-stack.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';
import { classifyLogEvent } from '../../src/metrics/cloudwatch/function-errors.ts';
import { expectError, expectOk, until } from './lambda-test-helpers.ts';

// Code as Lambda sees it, in one stack of the package-boundary fixture: a package found only in
// the project's node_modules above a function's code fails INIT (CommonJS and ES modules) with the
// error naming where it was found, in the function's log (where the harness reads its first cause)
// and in the stack's log; the same package in template layers (merged in order) and in a layer
// from outside the template mapped to a folder loads; Python runs without the host's
// site-packages but with boto3 and its layer. The test writes the node_modules folders git keeps none of.

const FIXTURE = fileURLToPath(new URL('../fixtures/stacks/package-boundary/', import.meta.url));
const EXTERNAL_ARN = 'arn:aws:lambda:us-east-1:123456789012:layer:shared-greeting:3';
/** Whether the host's Python has PyYAML (Lambda's runtime does not): the case needs it to mean anything. */
const hostHasYaml = (() => {
  try {
    execFileSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let root: string;
let described: DescribedStack;
let stack: RunningStack;
const lines: string[] = [];

async function writePackage(dir: string, name: string, text: string): Promise<void> {
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(join(dir, name, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
  await writeFile(join(dir, name, 'index.js'), `module.exports = { text: ${JSON.stringify(text)} };\n`);
}

const nameOf = (logicalId: string) => stack.stack.functions.find((f) => f.logicalId === logicalId)!.name;
const invoke = (logicalId: string) => stack.runtime.invoke(nameOf(logicalId), {});
const logOf = (logicalId: string): string[] =>
  (stack.logs.filter({ logGroupName: `/aws/lambda/${nameOf(logicalId)}`, limit: 10_000 })?.events ?? []).map((e) => e.message);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fanout-package-boundary-'));
  await cp(FIXTURE, root, { recursive: true });
  // an Architect project's root node_modules: beside the template, above every function's code
  await writePackage(join(root, 'node_modules'), 'fixture-greeting', 'from the project root');
  await writePackage(join(root, 'layers', 'base', 'nodejs', 'node_modules'), 'fixture-greeting', 'from the base layer');
  await writePackage(join(root, 'layers', 'base', 'nodejs', 'node_modules'), 'base-only', 'base layer only');
  await writePackage(join(root, 'layers', 'greeting', 'nodejs', 'node_modules'), 'fixture-greeting', 'from the greeting layer');
  await writePackage(join(root, 'shared-layer', 'nodejs', 'node_modules'), 'shared-greeting', 'from the mapped layer');
  const config = defaultStackConfig({
    template: { path: join(root, 'template.yaml'), parameters: {}, layers: { [EXTERNAL_ARN]: join(root, 'shared-layer') } },
    lambda: { preparedPerFunction: 0 },
  });
  described = await describeStack(config);
  stack = await startStack({ config, stack: described.stack, log: (line) => lines.push(line) });
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await described?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('code as Lambda sees it: Node.js', () => {
  it('fails INIT for a package found only in the project\'s node_modules (CommonJS), naming where it was found', async () => {
    const e = expectError(await invoke('OutsideFunction'));
    expect(e.errorType).toBe('Runtime.ImportModuleError');
    const [first, ...rest] = e.errorMessage.split('\n');
    expect(first).toBe(
      "Error: Cannot find module 'fixture-greeting': found in node_modules/fixture-greeting, which is not part of the function's package (src/node/outside); Lambda would not find it: bundle it, or put it in a layer",
    );
    expect(rest[0]).toBe('Require stack:'); // Lambda's shape after the first line
    // the stack's own log says it once, in the same words
    expect(lines.filter((l) => l.includes(nameOf('OutsideFunction')) && l.includes('found in node_modules/fixture-greeting'))).toHaveLength(1);
    // the function's log: what the harness's INIT-failure watch classifies as the first cause
    const said = await until(() => logOf('OutsideFunction').map(classifyLogEvent).find((c) => c?.phase === 'init'));
    expect(said).toMatchObject({ kind: 'Runtime.ImportModuleError', message: first });
    // every invocation fails the same way until the code changes
    expect(expectError(await invoke('OutsideFunction')).errorType).toBe('Runtime.ImportModuleError');
  });

  it('fails INIT for an ES module\'s import found only above the package, in Node\'s words for ESM', async () => {
    const e = expectError(await invoke('OutsideEsmFunction'));
    expect(e.errorType).toBe('Runtime.ImportModuleError');
    expect(e.errorMessage.split('\n')[0]).toMatch(
      /^Error: Cannot find package 'fixture-greeting' imported from \/.*\/src\/node\/outside-esm\/app\.mjs: found in node_modules\/fixture-greeting, which is not part of the function's package \(src\/node\/outside-esm\); Lambda would not find it: bundle it, or put it in a layer$/,
    );
  });

  it('loads the package from template layers, merged into /opt in order (a later layer\'s file wins, the earlier one\'s others stay)', async () => {
    const r = expectOk(await invoke('LayeredFunction')).result as { greeting: string; base: string; nodePath: string };
    expect(r).toMatchObject({ greeting: 'from the greeting layer', base: 'base layer only' });
    // NODE_PATH as Lambda's: the layers' nodejs/node20/node_modules and nodejs/node_modules first
    const [versioned, shared, sdk] = r.nodePath.split(':');
    expect(versioned).toMatch(/\/nodejs\/node20\/node_modules$/);
    expect(shared).toMatch(/\/nodejs\/node_modules$/);
    expect(sdk).toMatch(/\/runtime\/node_modules$/);
    expect(expectOk(await invoke('LayeredEsmFunction')).result).toEqual({ greeting: 'from the greeting layer' });
    expect(stack.stack.functions.find((f) => f.logicalId === 'LayeredFunction')!.layers!.map((l) => l.logicalId)).toEqual(['BaseLayer', 'GreetingLayer']);
  });

  it('loads a layer from outside the template from the folder the stack config maps its ARN to', async () => {
    expect(expectOk(await invoke('MappedFunction')).result).toEqual({ greeting: 'from the mapped layer' });
  });

  it('refuses a layer from outside the template with no folder mapped, in one line saying how to map it', async () => {
    const read = readTemplateStack({ path: join(root, 'template.yaml'), parameters: {}, region: 'us-east-1', accountId: '000000000000', apiId: 'abcdefghij', workDir: join(root, 'work') });
    await expect(read).rejects.toThrow(
      `resource MappedFunction property Layers.0: ${EXTERNAL_ARN} is a layer from outside the template, so its content is not here: map it to a local folder`,
    );
    await expect(read).rejects.toThrow(/template\.layers.*target\.layers/);
  });
});

describe('code as Lambda sees it: Python', () => {
  it('imports boto3 (the runtime\'s) and the layer\'s module, and not the host\'s PyYAML', async () => {
    expect(expectOk(await invoke('PyBotoFunction')).result).toEqual({ boto3: 'boto3', layer: 'from the python layer', yaml: false });
  });

  it.skipIf(!hostHasYaml)('fails INIT for a module only the host\'s site-packages has, naming where it was found', async () => {
    const e = expectError(await invoke('PyYamlFunction'));
    expect(e.errorType).toBe('Runtime.ImportModuleError');
    expect(e.errorMessage).toMatch(
      /^Unable to import module 'needs_yaml': No module named 'yaml': found in \/\S+\/yaml, which Lambda's runtime does not have \(it ships boto3 and its dependencies only\); ship it in the function's package \(src\/py\), or put it in a layer$/,
    );
    expect(lines.some((l) => l.includes(nameOf('PyYamlFunction')) && l.includes("No module named 'yaml': found in"))).toBe(true);
    const said = await until(() => logOf('PyYamlFunction').map(classifyLogEvent).find((c) => c?.phase === 'init'));
    expect(said).toMatchObject({ kind: 'Runtime.ImportModuleError', message: e.errorMessage });
  });
});
