import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli, type CliResult } from './cli.ts';
import { firstWhys, unwrapped } from './first-whys.ts';

/**
 * Code as Lambda sees it, through the CLI as a user meets it (issue 59): two short runs of the
 * package-boundary fixture, at once. In one, the route's function requires a package found only
 * in the project's node_modules above its code (an Architect project's root); in the other, the
 * function imports PyYAML, which the host's Python has and Lambda's runtime does not. Each first
 * cause, on the console, in summary.md, in the report and in results.json's verdict evidence,
 * names Runtime.ImportModuleError, where the module was found and why Lambda would not find it
 * there, and the remedy is the error's own. The fixture's Node.js functions are nodejs20.x, which
 * Lambda deprecated on 2026-04-30: the run says so at its start, before the load.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'test/fixtures/stacks/package-boundary');
const EXTERNAL_ARN = 'arn:aws:lambda:us-east-1:123456789012:layer:shared-greeting:3';
const work = mkdtempSync(join(tmpdir(), 'fb-package-boundary-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Whether the Python the stack runs python3.12 on (python3.12 on PATH, else python3, as
 * emulator/lambda/runtimes/host-runtimes.ts finds it) has PyYAML: the Python case means nothing without it.
 */
const hostHasYaml = (() => {
  for (const python of ['python3.12', 'python3']) {
    try {
      execFileSync(python, ['-c', 'import sys'], { stdio: 'ignore' });
    } catch {
      continue;
    }
    try {
      execFileSync(python, ['-c', 'import yaml'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
  return false;
})();

function writePackage(dir: string, name: string, text: string): void {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
  writeFileSync(join(dir, name, 'index.js'), `module.exports = { text: ${JSON.stringify(text)} };\n`);
}

interface Run extends CliResult {
  name: string;
  dir: string;
  results: Results;
  whys: ReturnType<typeof firstWhys>;
}

/** Two clients sending to the route `action` for 1 s: every message fails on the function's INIT. */
async function run(stack: string, name: string, action: string, progress: boolean): Promise<Run> {
  const scenario = join(stack, `${name}.yaml`);
  writeFileSync(
    scenario,
    [
      `name: ${name}`,
      'clients: 2',
      'rooms: 1',
      'seed: 3',
      'timeouts: { loss: 2s, grace: 1s }',
      // the template's one layer from outside it, mapped to a folder (relative to this file)
      `target: { layers: { "${EXTERNAL_ARN}": ./shared-layer } }`,
      'protocol:',
      `  name: ${name}`,
      '  membership: { model: all }',
      `  send: { frame: { action: ${action}, data: "{{probe}}" } }`,
      'phases:',
      '  - connect: { rate: 20 }',
      '  - send: { duration: 1s, rate: 2 }',
      '',
    ].join('\n'),
  );
  const out = join(work, `out-${name}`);
  const r = await runCli(['run', scenario, '--template', join(stack, 'template.yaml'), '--prepared', '0', ...(progress ? [] : ['--no-progress']), '--summary', 'full', '--out', out], { timeoutMs: 70_000 });
  const dir = join(out, readdirSync(out)[0]!);
  const results = Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
  const stdout = unwrapped(r.stdout);
  return { ...r, stdout, name, dir, results, whys: firstWhys(stdout, dir) };
}

let node: Run;
let python: Run | undefined;
beforeAll(async () => {
  // a copy with the node_modules git keeps none of: the package beside the template, above every
  // function's code; the layers' packages (the stack loads every function's layers)
  const stack = join(work, 'package-boundary');
  cpSync(FIXTURE, stack, { recursive: true });
  writePackage(join(stack, 'node_modules'), 'fixture-greeting', 'from the project root');
  writePackage(join(stack, 'layers', 'base', 'nodejs', 'node_modules'), 'fixture-greeting', 'from the base layer');
  writePackage(join(stack, 'layers', 'base', 'nodejs', 'node_modules'), 'base-only', 'base layer only');
  writePackage(join(stack, 'layers', 'greeting', 'nodejs', 'node_modules'), 'fixture-greeting', 'from the greeting layer');
  writePackage(join(stack, 'shared-layer', 'nodejs', 'node_modules'), 'shared-greeting', 'from the mapped layer');
  // both at once: each mostly waits (its loss timeout), and neither times anything
  [node, python] = await Promise.all([run(stack, 'outside', 'outside', true), hostHasYaml ? run(stack, 'host-yaml', 'yaml', false) : Promise.resolve(undefined)]);
}, 90_000);

/** The first cause, its evidence in results.json, and the same words on the console, in summary.md and in the report. */
function expectFirstCause(r: Run, logicalId: string, message: string, cause: RegExp, remedy: string): void {
  expect(r.code, r.stdout + r.stderr).toBe(EXIT.thresholdsCrossed);
  const sent = r.results.sends.sent;
  expect(sent).toBeGreaterThan(0);
  expect(r.results.deliveries.lost).toBe(r.results.deliveries.expected);
  const [fn, errors] = Object.entries(r.results.cloudwatch!.functionErrors!).find(([f]) => f.includes(logicalId))!;
  // the function's log, as the harness read it: the error's whole first line, at INIT, once per invocation
  expect(errors).toEqual([expect.objectContaining({ kind: 'Runtime.ImportModuleError', message, phase: 'init', count: sent })]);
  const lost = r.results.verdict!.explanations!.find((e) => e.check === 'no lost deliveries')!;
  const [first] = lost.evidence;
  expect(first).toMatchObject({ factor: 'function-errors', share: 1, remedy });
  expect(first!.line).toMatch(new RegExp(`^${fn}: ${sent} errors? in ${sent} invocations?: Runtime\\.ImportModuleError: ${cause.source} ×${sent} \\(at INIT`));
  expect(r.whys.console).toBe(`first cause (no lost deliveries): ${first!.line}`);
  expect(r.whys.md.startsWith(`> Why: no lost deliveries. ${first!.line}`), r.whys.md).toBe(true);
  expect(r.whys.html.startsWith(`Why: no lost deliveries. ${first!.line}`), r.whys.html).toBe(true);
  expect(r.stdout).toContain(`what would move it: ${remedy}`);
}

describe('a package found only above the function\'s code, through a run', () => {
  it('first cause: Runtime.ImportModuleError, where the package was found and why Lambda would not find it', () => {
    expectFirstCause(
      node,
      'OutsideFunction',
      "Error: Cannot find module 'fixture-greeting': found in node_modules/fixture-greeting, which is not part of the function's package (src/node/outside); Lambda would not find it: bundle it, or put it in a layer",
      /Error: Cannot find module 'fixture-greeting': found in node_modules\/fixture-greeting, which is not part of the function's package \(src\/node\/outside\); Lambda would not find it/,
      'bundle it, or put it in a layer; every invocation fails until it loads',
    );
  });

  it('says the deprecated runtime at the start, with its functions, before the first load line; results.json keeps every runtime', () => {
    const runtimes = node.results.environment.lambdaRuntimes!;
    const deprecated = runtimes.filter((x) => x.deprecation);
    // nodejs20.x since 2026-04-30 (python3.12 from 2028-10-31: then a line of its own)
    expect(deprecated.map((x) => x.runtime)).toContain('nodejs20.x');
    const nodejs20 = runtimes.find((x) => x.runtime === 'nodejs20.x')!;
    expect(nodejs20).toMatchObject({ deprecated: '2026-04-30', functions: expect.arrayContaining([expect.stringMatching(/-OutsideFunction-/)]) });
    expect(nodejs20.functions).toHaveLength(5);
    const lines = node.stderr.split('\n');
    const said = lines.filter((l) => / deprecated by Lambda on /.test(l));
    expect(said).toEqual(
      deprecated.map((x) => `fanout-bench: lambda ${x.runtime} (${x.functions.slice(0, 3).join(', ')}${x.functions.length > 3 ? ` and ${x.functions.length - 3} more` : ''}): ${x.deprecation}${x.matches ? '' : `; it runs here on ${x.ranOn}`}`),
    );
    expect(said[0]).toMatch(/^fanout-bench: lambda nodejs20\.x \(package-boundary-OutsideFunction-\w+, [^)]+ and 2 more\): deprecated by Lambda on 2026-04-30 \(docs\/aws-facts\.md\); Lambda still invokes existing functions but refuses new ones /);
    // the load's progress lines ("outside  1s/4s  connect  open 0 …") come after it
    const load = lines.findIndex((l) => /^outside\s+\d+s\/\d+s\s/.test(l));
    expect(load, node.stderr).toBeGreaterThan(lines.indexOf(said[0]!));
    // every Node.js function ran on its own Node: no line says another runtime's Node
    expect(node.stderr).not.toMatch(/warning: nodejs\d+\.x/);
  });
});

describe.skipIf(!hostHasYaml)('a Python module only the host has, through a run', () => {
  it('first cause: Runtime.ImportModuleError, where the module was found and why Lambda\'s runtime does not have it', () => {
    const message = Object.values(python!.results.cloudwatch!.functionErrors!)[0]![0]!.message;
    expect(message).toMatch(
      /^Unable to import module 'needs_yaml': No module named 'yaml': found in \/\S+\/yaml, which Lambda's runtime does not have \(it ships boto3 and its dependencies only\); ship it in the function's package \(src\/py\), or put it in a layer$/,
    );
    expectFirstCause(
      python!,
      'PyYamlFunction',
      message,
      /Unable to import module 'needs_yaml': No module named 'yaml': found in \/\S+\/yaml, which Lambda's runtime does not have \(it ships boto3 and its dependencies only\)/,
      "ship it in the function's package (src/py), or put it in a layer; every invocation fails until it loads",
    );
  });
});
