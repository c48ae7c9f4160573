import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { now } from '../../src/clock.ts';
import { buildResults } from '../../src/metrics/results/results-builder.ts';
import { RunRecorder } from '../../src/metrics/measurement/run-recorder.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';
import { judged } from '../../src/verdict/judged.ts';

const dir = mkdtempSync(join(tmpdir(), 'fb-description-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function occurrences(text: string, part: string): number {
  let n = 0;
  for (let i = text.indexOf(part); i !== -1; i = text.indexOf(part, i + part.length)) n++;
  return n;
}

describe('a long description', () => {
  it('is stored once in results.json and shown once in the report', () => {
    // near the 1 MiB cap on a scenario file: a distinctive text, so counting it is exact
    const description = Array.from({ length: 30_000 }, (_, i) => `line ${i} of the description`).join(' ');
    const file = join(dir, 'long.yaml');
    writeFileSync(file, `name: long\ndescription: ${JSON.stringify(description)}\nclients: 2\nrooms: 1\nphases: [{ connect: {} }]\n`);
    const scenario = loadScenario(file);
    const t = now();
    const results = buildResults({
      runId: 'r',
      status: 'completed',
      startedAt: t,
      endedAt: t + 1000,
      scenario,
      target: { kind: 'local', url: 'local' },
      shards: 1,
      seed: 1,
      recorder: new RunRecorder(1, t, { graceMs: 1000, lossMs: 30_000 }),
      intervals: [],
      parentCpuSeconds: 0,
      openAtEnd: 0,
      extraWarnings: [],
    });
    expect(results.scenario.description).toBe(description);
    expect(results.scenario.definition).not.toHaveProperty('description');
    expect(results.scenario.definition).toMatchObject({ name: 'long', clients: 2 });
    const json = JSON.stringify(results);
    expect(occurrences(json, 'line 29999 of the description')).toBe(1);
    expect(json.length).toBeLessThan(description.length * 1.5);
    expect(occurrences(renderHtml(judged(results)), 'line 29999 of the description')).toBe(1);
  });
});
