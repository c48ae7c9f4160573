import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { loadPrices } from '../../src/metrics/cost/prices-file.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { buildResults } from '../report/fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-prices-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const f = join(dir, name);
  await writeFile(f, text);
  return f;
}

async function userError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return (err as UserError).message;
}

describe('loadPrices', () => {
  it('overrides part of the table from YAML and keeps the rest', async () => {
    const f = await file('eu.yaml', 'asOf: "2026-01-15"\nregion: eu-west-1\nlambda:\n  requestsPerMillion: 0.25\n');
    const prices = await loadPrices(f);
    expect(prices.region).toBe('eu-west-1');
    expect(prices.asOf).toBe('2026-01-15');
    expect(prices.lambda.requestsPerMillion).toBe(0.25);
    expect(prices.lambda.gbSecondX86).toBe(DEFAULT_PRICES.lambda.gbSecondX86);
    expect(prices.dynamodbOnDemand).toEqual(DEFAULT_PRICES.dynamodbOnDemand);
  });

  it('reads JSON, and the estimate uses the new price', async () => {
    const f = await file('p.json', JSON.stringify({ apiGatewayWebSocket: { messagesPerMillion: 2 } }));
    const prices = await loadPrices(f);
    const results = buildResults();
    const base = estimateCost(results);
    const doubled = estimateCost(results, { prices });
    const messages = (c: typeof base) => c.lines.filter((l) => l.item.startsWith('messages')).reduce((s, l) => s + l.cost, 0);
    expect(messages(doubled)).toBeCloseTo(2 * messages(base), 12);
  });

  it('names the file and the misspelt field', async () => {
    const f = await file('typo.yaml', 'lambda:\n  requestsPerMilion: 0.3\n');
    const message = await userError(loadPrices(f));
    expect(message).toContain(f);
    expect(message).toContain('lambda.requestsPerMilion');
  });

  it('names the file and a field of the wrong type', async () => {
    const f = await file('type.yaml', 'dynamodbOnDemand:\n  readUnitsPerMillion: cheap\n');
    const message = await userError(loadPrices(f));
    expect(message).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: dynamodbOnDemand\\.readUnitsPerMillion: `));
  });

  it('rejects negative prices, unreadable files and broken YAML with the file name', async () => {
    expect(await userError(loadPrices(await file('neg.json', '{"lambda":{"gbSecondArm64":-1}}')))).toContain('lambda.gbSecondArm64');
    expect(await userError(loadPrices(join(dir, 'missing.yaml')))).toContain('missing.yaml');
    expect(await userError(loadPrices(await file('bad.yaml', 'lambda: [unclosed')))).toContain('bad.yaml');
  });
});
