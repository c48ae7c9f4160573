import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every number the harness writes for people goes through src/number-format.ts (thousands
 * separators, a space before the unit), and every median through src/median.ts: a file of its
 * own way is how "12.3ms" and a fourth median crept in beside them.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');
const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(SRC, f));
const where = (pattern: RegExp, except: string) =>
  files.filter((f) => relative(ROOT, f) !== except && pattern.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));

describe('one format, one median', () => {
  it('formats numbers with a locale in number-format.ts only', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(where(/\.toLocaleString\(|new Intl\.NumberFormat\(/, 'src/number-format.ts')).toEqual([]);
  });

  it('rounds numbers for people in number-format.ts only (toFixed, toPrecision): the few left say why they are not for people', () => {
    // what each file left writes, and why number-format is not its format
    const notForPeople: Record<string, string> = {
      'src/report/run/junit.ts': "JUnit's time attribute, seconds read by CI tools, not people",
      'src/diagnosis/function-error-evidence.ts': 'a Timeout to the hundredth as Lambda words it ("Task timed out after 3.00 seconds")',
      'src/metrics/cost/price-list.ts': 'a price rounded as a number, not written',
      'src/metrics/cost/volume-tiers.ts': "a tier's price to six digits, as AWS's price list gives it",
    };
    const found = files.filter((f) => relative(ROOT, f) !== 'src/number-format.ts' && /\.toFixed\(|\.toPrecision\(/.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(found.sort()).toEqual(Object.keys(notForPeople).sort());
  });

  it('takes a median in median.ts only', () => {
    expect(where(/function median\b|const median = \(|% 2 === 1 \?|% 2 \? /, 'src/median.ts')).toEqual([]);
  });
});
