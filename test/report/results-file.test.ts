import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { checkedResults, readResults, writeResults } from '../../src/report/run/results-file.ts';

const recorded = JSON.parse(readFileSync(new URL('../fixtures/plan/default-run/results.json', import.meta.url), 'utf8')) as Results;
const dir = mkdtempSync(join(tmpdir(), 'fanout-results-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('results.json, checked and written', () => {
  it('results that match the schema are kept as they are, written whole and read back the same', async () => {
    expect(checkedResults(recorded)).toBe(recorded);
    const file = writeResults(dir, recorded);
    expect(await readResults(file)).toEqual(recorded);
  });

  it('results that do not match keep their measurements, with the mismatch in harness.warnings; the results given are left as they were', () => {
    const broken = { ...recorded, sends: { ...recorded.sends, sent: -1 } };
    const warnings = [...broken.harness.warnings];
    const checked = checkedResults(broken);
    expect(checked.sends.sent).toBe(-1);
    expect(checked.harness.warnings.at(-1)).toMatch(/^results\.json does not match its schema at sends\.sent: /);
    expect(broken.harness.warnings).toEqual(warnings);
  });
});
