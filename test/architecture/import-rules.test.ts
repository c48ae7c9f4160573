import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The import direction of the house (.dependency-cruiser.cjs, one comment per rule saying why):
 * the harness, the emulator and the reference stack apart, src/'s folders in layers (so no two folders import
 * each other), the renderers pure, the src/metrics folders importing what their READMEs say, no
 * cycles of files or of folders.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const TREES = ['src', 'emulator', 'reference-stack', 'common', 'artillery/engine/src'];

async function violationsIn(baseDir: string, trees: string[], tsConfig?: string): Promise<{ cruised: number; violations: IViolation[] }> {
  const options = await extractDepcruiseOptions(CONFIG);
  const { output } = await cruise(
    trees.filter((t) => existsSync(join(baseDir, t))),
    { ...options, baseDir, validate: true },
    {},
    tsConfig ? { tsConfig: extractTSConfig(tsConfig) } : {},
  );
  const result = output as ICruiseResult;
  return { cruised: result.summary.totalCruised, violations: result.summary.violations };
}

/** One line per violation: the rule, the import, and the path for a cycle or a transitive one. */
function describeViolation(v: IViolation): string {
  const path = v.cycle ?? v.via;
  const through = path && path.length > 0 ? ` (${[v.from, ...path.map((d) => d.name)].join(' → ')})` : '';
  return `${v.rule.name}: ${v.from} → ${v.to}${through}`;
}

describe('import rules', () => {
  it('holds for src/, emulator/, reference-stack/, common/ and artillery/engine/src with no exception', async () => {
    const { cruised, violations } = await violationsIn(ROOT, TREES, join(ROOT, 'tsconfig.json'));
    expect(cruised, 'the cruise found the source trees').toBeGreaterThan(250);
    expect(violations.map(describeViolation).join('\n')).toBe('');
  });

  describe('each rule catches what it forbids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-import-rules-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    // A small tree breaking every rule once, and importing what the rules allow.
    const files: Record<string, string> = {
      // a type-only cycle is a cycle
      'src/scenarios/a.ts': "import type { B } from './b.ts';\nexport type A = { b?: B };\n",
      'src/scenarios/b.ts': "import type { A } from './a.ts';\nexport type B = { a?: A };\n",
      'src/commands/stack.ts': "import '../../emulator/stack.ts';\n",
      'emulator/stack.ts': "import '../src/number-format.ts';\n",
      // the base layer reaching up (and so, transitively, into the verdict)
      'src/number-format.ts': "import './verdict/exit-codes.ts';\n",
      'src/verdict/exit-codes.ts': 'export const X = 1;\n',
      'common/errors.ts': "import '../src/scenarios/a.ts';\n",
      'reference-stack/functions/send.ts': "import '../../emulator/config.ts';\nimport '../infra/app.ts';\nimport './manifest.ts';\n",
      'reference-stack/functions/manifest.ts': 'export const M = 1;\n',
      'reference-stack/infra/app.ts': "import '../functions/manifest.ts';\n",
      // the emulator knows the reference stack only in stack-model/ (its assembly, the shape it is described in)
      'emulator/config.ts': "import '../reference-stack/functions/manifest.ts';\n",
      'emulator/stack-model/describe-stack.ts': "import '../../reference-stack/functions/manifest.ts';\nimport '../config.ts';\n",
      // a folder loop made of files that form no file cycle: metrics → fleet → metrics
      'src/metrics/measurement/self-watch.ts': "import '../../fleet/clock.ts';\n",
      'src/fleet/clock.ts': 'export const now = 1;\n',
      'src/fleet/shard.ts': "import '../metrics/measurement/histogram.ts';\n",
      'src/metrics/measurement/histogram.ts': 'export const H = 1;\n',
      // two folders of one layer
      'src/aws/sdk-settings.ts': "import '../local-stack/node-binaries.ts';\n",
      'src/local-stack/node-binaries.ts': 'export const N = 1;\n',
      // a folder in no layer
      'src/helpers/misc.ts': "import '../number-format.ts';\n",
      // a contract reaching the verdict
      'src/contracts/results-schema.ts': "import '../verdict/exit-codes.ts';\nimport './verdict-schema.ts';\n",
      'src/contracts/verdict-schema.ts': 'export const V = 1;\n',
      // a pure analysis reaching a target kind and another analysis
      'src/analyses/compare/recommend.ts': "import '../../targets/local.ts';\nimport '../search/step-plan.ts';\n",
      'src/targets/local.ts': 'export const L = 1;\n',
      'src/analyses/search/step-plan.ts': "import '../../contracts/results-schema.ts';\n",
      // renderers: a target, and the pull through the host reading (allowed: local-host itself)
      'src/report/html.ts': "import '../targets/local.ts';\nimport '../metrics/cloudwatch/local-host.ts';\nimport '../contracts/results-schema.ts';\n",
      'src/metrics/cloudwatch/local-host.ts': "import './cloudwatch-puller.ts';\n",
      'src/metrics/cloudwatch/cloudwatch-puller.ts': "import '../cost/cost-model.ts';\n",
      'src/metrics/cost/cost-model.ts': "import '../../contracts/verdict-schema.ts';\nimport '../results/run-dir.ts';\n",
      'src/metrics/results/run-dir.ts': 'export const D = 1;\n',
      // the attribution join reaching the CloudWatch pull (it is fed lines, it reads none)
      'src/metrics/attribution/attribution-join.ts': "import '../cloudwatch/cloudwatch-puller.ts';\nimport '../measurement/histogram.ts';\n",
      // results.json reaching the cost model (a sibling folder it does not need)
      'src/metrics/results/results-builder.ts': "import '../cost/cost-model.ts';\nimport '../measurement/histogram.ts';\n",
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }

    it('reports every rule of the config, and no allowed import', async () => {
      const { violations } = await violationsIn(dir, TREES);
      const lines = violations.map(describeViolation);
      const options = await extractDepcruiseOptions(CONFIG);
      const rules = [...new Set((options.ruleSet?.forbidden ?? []).map((r) => r.name))].sort();
      expect(rules.length).toBeGreaterThan(10);
      expect([...new Set(violations.map((v) => v.rule.name))].sort(), lines.join('\n')).toEqual(rules);
      expect(lines).toContain('no-circular: src/scenarios/a.ts → src/scenarios/b.ts (src/scenarios/a.ts → src/scenarios/b.ts → src/scenarios/a.ts)');
      // the folder loop: no file cycle, yet it fails like one
      expect(lines.filter((l) => l.startsWith('no-circular:') && (l.includes('src/fleet') || l.includes('src/metrics')))).toEqual([]);
      expect(lines).toContain('layers: src/metrics/measurement/self-watch.ts → src/fleet/clock.ts');
      expect(lines.some((l) => l.startsWith('no-folder-cycle: src/fleet') || l.startsWith('no-folder-cycle: src/metrics')), lines.join('\n')).toBe(true);
      expect(lines).toContain('layers: src/number-format.ts → src/verdict/exit-codes.ts');
      expect(lines).toContain('reference-stack-imports-no-emulator: reference-stack/functions/send.ts → emulator/config.ts');
      expect(lines).toContain('emulator-reads-reference-stack-in-one-place: emulator/config.ts → reference-stack/functions/manifest.ts');
      expect(lines.filter((l) => l.includes('emulator/stack-model/describe-stack.ts →') || l.startsWith('functions-import-no-infra: reference-stack/infra'))).toEqual([]);
      expect(lines).toContain('layers: src/aws/sdk-settings.ts → src/local-stack/node-binaries.ts');
      expect(lines).toContain('layers: src/helpers/misc.ts → src/number-format.ts');
      expect(lines).toContain('contracts-import-only-contracts: src/contracts/results-schema.ts → src/verdict/exit-codes.ts');
      expect(lines).toContain('analyses-are-pure: src/analyses/compare/recommend.ts → src/targets/local.ts');
      expect(lines).toContain('analyses-stand-apart: src/analyses/compare/recommend.ts → src/analyses/search/step-plan.ts');
      expect(lines).toContain('renderers-import-no-target-run-or-command: src/report/html.ts → src/targets/local.ts');
      expect(lines).toContain(
        'renderers-reach-no-cloudwatch-pull: src/report/html.ts → src/metrics/cloudwatch/cloudwatch-puller.ts (src/report/html.ts → src/metrics/cloudwatch/local-host.ts → src/metrics/cloudwatch/cloudwatch-puller.ts)',
      );
      expect(lines).toContain('metrics-results-imports: src/metrics/results/results-builder.ts → src/metrics/cost/cost-model.ts');
      expect(lines).toContain('metrics-cost-imports: src/metrics/cost/cost-model.ts → src/metrics/results/run-dir.ts');
      expect(lines).toContain('metrics-attribution-imports: src/metrics/attribution/attribution-join.ts → src/metrics/cloudwatch/cloudwatch-puller.ts');
      // allowed: a renderer reads the contracts and the host reading; results.json reads the recorders; a contract reads a contract
      expect(lines.filter((l) => /→ src\/contracts\/|→ src\/metrics\/measurement\/histogram\.ts$|→ src\/metrics\/cloudwatch\/local-host\.ts$/.test(l) && !l.startsWith('layers: src/number-format'))).toEqual([]);
    });
  });
});
