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
 * the harness and the reference stack apart, the verdict reaching no renderer, measuring
 * reaching no verdict, the src/metrics folders importing what their READMEs say, no cycles.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const TREES = ['src', 'reference-stack', 'common', 'artillery/engine/src'];

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
  it('holds for src/, reference-stack/, common/ and artillery/engine/src with no exception', async () => {
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
      'src/commands/stack.ts': "import '../../reference-stack/local/stack.ts';\n",
      'reference-stack/local/stack.ts': "import '../../src/errors.ts';\n",
      'src/errors.ts': "import './verdict/exit-codes.ts';\n",
      'src/verdict/exit-codes.ts': 'export const X = 1;\n',
      'common/errors.ts': "import '../src/scenarios/a.ts';\n",
      'reference-stack/functions/send.ts': "import '../local/config.ts';\n",
      'reference-stack/local/config.ts': 'export const C = 1;\n',
      'src/verdict/evaluate.ts': "import '../metrics/compare/recommend.ts';\n",
      'src/metrics/compare/recommend.ts': "import '../../report/html.ts';\n",
      // a search's pure part reaching the run that drives it
      'src/metrics/search/step-plan.ts': "import '../../run/finish.ts';\n",
      'src/report/html.ts': "import '../run/finish.ts';\nimport '../metrics/cloudwatch/cloudwatch-schema.ts';\n",
      'src/run/finish.ts': 'export const F = 1;\n',
      'src/report/chart-data.ts': "import '../metrics/cloudwatch/local-host.ts';\n",
      'src/metrics/cloudwatch/local-host.ts': "import './cloudwatch-puller.ts';\n",
      'src/metrics/cloudwatch/cloudwatch-schema.ts': 'export const S = 1;\n',
      'src/metrics/cloudwatch/cloudwatch-puller.ts': "import '../cost/cost-model.ts';\n",
      'src/fleet/shard-count.ts': "import '../errors.ts';\n",
      'src/metrics/measurement/run-recorder.ts': "import '../results/results-schema.ts';\n",
      'src/metrics/results/results-schema.ts': "import '../cost/cost-schema.ts';\nimport '../cost/cost-model.ts';\n",
      'src/metrics/cost/cost-schema.ts': 'export const S = 1;\n',
      'src/metrics/cost/cost-model.ts': "import '../measurement/histogram.ts';\n",
      'src/metrics/measurement/histogram.ts': 'export const H = 1;\n',
      'src/metrics/stack-description/reference-functions.ts': "import '../../errors.ts';\n",
      'src/metrics/trend/build-trend.ts': "import '../../report/html.ts';\n",
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }

    it('reports every rule of the config, and no allowed import', async () => {
      const { violations } = await violationsIn(dir, TREES);
      const lines = violations.map(describeViolation);
      const options = await extractDepcruiseOptions(CONFIG);
      const rules = (options.ruleSet?.forbidden ?? []).map((r) => r.name).sort();
      expect(rules.length).toBeGreaterThan(10);
      expect([...new Set(violations.map((v) => v.rule.name))].sort(), lines.join('\n')).toEqual(rules);
      expect(lines).toContain('no-circular: src/scenarios/a.ts → src/scenarios/b.ts (src/scenarios/a.ts → src/scenarios/b.ts → src/scenarios/a.ts)');
      expect(lines).toContain('measuring-reaches-no-verdict-or-renderer: src/fleet/shard-count.ts → src/verdict/exit-codes.ts (src/fleet/shard-count.ts → src/errors.ts → src/verdict/exit-codes.ts)');
      expect(lines).toContain(
        'renderers-reach-no-cloudwatch-pull: src/report/chart-data.ts → src/metrics/cloudwatch/cloudwatch-puller.ts (src/report/chart-data.ts → src/metrics/cloudwatch/local-host.ts → src/metrics/cloudwatch/cloudwatch-puller.ts)',
      );
      // allowed: a renderer reads results.cloudwatch's schema, the results contract composes cost's schema
      expect(lines.filter((l) => l.includes('→ src/metrics/cloudwatch/cloudwatch-schema.ts') || l.includes('→ src/metrics/cost/cost-schema.ts'))).toEqual([]);
    });
  });
});
