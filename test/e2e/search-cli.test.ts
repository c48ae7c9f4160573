import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Search } from '../../src/metrics/search/search-schema.ts';
import { startKneeChatServer, type KneeServer } from '../fixtures/knee-chat-server.ts';
import { expectOneLine, runCli, type CliResult } from './cli.ts';

/**
 * `fanout-bench search` as a user runs it: against a chat server whose delivery delay grows past
 * a known knee (the found limit within --resolution of it, the report drawn in Chromium), against
 * the local emulator with Lambda's account concurrency lowered (Lambda throttling named) and with
 * the stage throttle lowered (API Gateway's 429s named), and bad input refused in one line.
 * Short holds and few clients keep the whole file near two minutes.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenario(name: string, text: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

const SMALL = `clients: 12
rooms: 3
seed: 5
phases:
  - connect: { rate: 100 }
  - join: { rate: 100 }
  - send: { duration: 2s, rate: 5 }
`;

function search(args: string[]): Promise<CliResult> {
  return runCli(['search', ...args, '--no-progress', '--warm-up', '0s'], { timeoutMs: 240_000 });
}

function readSearch(out: string): Search {
  const [id] = readdirSync(out).filter((d) => d.includes('search-'));
  return Search.parse(JSON.parse(readFileSync(join(out, id!, 'search.json'), 'utf8')));
}

describe('fanout-bench search', () => {
  let knee: KneeServer;
  const KNEE = 50;
  beforeAll(async () => {
    knee = await startKneeChatServer({ kneeRate: KNEE, stepMs: 400, perMessageMs: 10 });
  });
  afterAll(() => knee.close());

  it('finds the knee of a server whose delivery delay grows with load, within --resolution, and its report draws in Chromium', { timeout: 240_000 }, async () => {
    const out = join(dir, 'knee');
    const r = await search([scenario('knee', `name: knee\n${SMALL}`), '--target', knee.url, '--vary', 'rate', '--slo', 'broadcast.p99 < 250ms', '--from', '10', '--to', '160', '--hold', '2s', '--resolution', '25%', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const s = readSearch(out);
    expect(s.answer.kind).toBe('limit-found');
    expect(Math.abs(s.answer.maxPassing! - KNEE)).toBeLessThanOrEqual(0.25 * KNEE);
    expect(s.answer.firstFailing!).toBeGreaterThan(KNEE * 0.9);
    expect(Math.max(...s.steps.map((x) => x.load))).toBeLessThanOrEqual(160);
    expect(s.steps.filter((x) => x.role === 'confirm').length).toBeGreaterThanOrEqual(2);
    // a server of your own tells nothing of its insides: no evidence points anywhere, and it says so
    expect(s.answer.limitingFactor).toBe('none');
    expect(r.stdout).toContain('highest load that met every SLO:');
    for (const st of s.steps) expect(readdirSync(join(out, s.searchId, st.dir))).toContain('results.json');

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(join(out, s.searchId, 'index.html')).href, { waitUntil: 'load' });
      for (const id of ['latency', 'throughput']) expect(await page.locator(`[data-chart="${id}"] canvas`).count()).toBe(1);
      expect(await page.locator('[data-chart="latency"] .u-legend .u-series .u-label').allTextContents()).toEqual([
        'rate (messages/s)',
        'broadcast p50',
        'broadcast p99',
        'SLO broadcast.p99 < 250ms',
      ]);
      expect(await page.locator('table.steps tbody tr').count()).toBe(s.steps.length);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('--expect makes it a CI check: exit 99 when the answer does not hold', { timeout: 120_000 }, async () => {
    const out = join(dir, 'expect');
    const r = await search([scenario('expect', `name: expect\n${SMALL}`), '--target', knee.url, '--vary', 'rate', '--slo', 'broadcast.p99 < 250ms', '--from', '20', '--to', '40', '--hold', '1s', '--expect', 'max >= 1000', '--out', out]);
    expect(r.code, r.stderr).toBe(99);
    expect(readSearch(out)).toMatchObject({ answer: { kind: 'to-passed', maxPassing: 40 }, expect: { held: false } });
  });

  it('with the emulator\'s account concurrency lowered, names Lambda throttling', { timeout: 240_000 }, async () => {
    const out = join(dir, 'concurrency');
    const file = scenario('concurrency', `name: concurrency\ntarget: { accountConcurrency: 3, preparedPerFunction: 0 }\n${SMALL.replace('rooms: 3', 'rooms: 3\ntimeouts: { loss: 5s }')}`);
    const r = await search([file, '--vary', 'rate', '--slo', 'broadcast.p99 < 500ms', '--from', '5', '--to', '400', '--hold', '2s', '--resolution', '100%', '--shards', '1', '--out', out]);
    const s = readSearch(out);
    expect([0, 99], r.stderr).toContain(r.code);
    expect(s.answer.firstFailing, r.stdout).not.toBeNull();
    expect(s.answer.limitingFactor, r.stdout).toBe('lambda-throttles');
    expect(s.answer.evidence[0]!.line).toMatch(/^Lambda throttled [\d,]+ invocations .*against Lambda's 3 concurrent executions per account \(the emulator's config\)/);
  });

  it('with the stage throttle lowered, names API Gateway\'s 429s', { timeout: 240_000 }, async () => {
    const out = join(dir, 'throttle');
    // joins stay under the throttle (5 requests/s); the sends' messages and posts (4/s × 5) do not
    const text = SMALL.replace('rooms: 3', 'rooms: 3\ntimeouts: { loss: 5s }').replace('join: { rate: 100 }', 'join: { rate: 3 }');
    const file = scenario('throttle', `name: throttle\ntarget: { accountRps: 5, accountBurst: 5 }\n${text}`);
    const r = await search([file, '--vary', 'rate', '--slo', 'broadcast.p99 < 500ms', '--from', '4', '--to', '64', '--hold', '2s', '--resolution', '100%', '--shards', '1', '--out', out]);
    const s = readSearch(out);
    expect([0, 99], r.stderr).toContain(r.code);
    expect(s.answer.limitingFactor, r.stdout).toBe('api-gateway-429');
    expect(s.answer.evidence[0]!.line).toMatch(/messages with 429 \(Too Many Requests\): the stage's throttle of 5 requests\/s \(the emulator's config\), burst 5$/);
  });

  it('on the emulator as it is, the host is what limits a search over rate', { timeout: 240_000 }, async () => {
    const out = join(dir, 'host');
    const r = await search([scenario('host', `name: host\n${SMALL}`), '--vary', 'rate', '--slo', 'broadcast.p99 < 500ms', '--from', '8', '--to', '512', '--hold', '2s', '--resolution', '100%', '--shards', '1', '--out', out]);
    const s = readSearch(out);
    expect([0, 99], r.stderr).toContain(r.code);
    expect(s.answer.firstFailing, r.stdout).not.toBeNull();
    expect(s.answer.limitingFactor, r.stdout).toBe('local-host');
  });

  it('refuses bad input in one line naming the flag, exit 2', async () => {
    expectOneLine(await runCli(['search', '--vary', 'speed', '--slo', 'broadcast.p99 < 1s']), '--vary: must be one of rate, clients, room-size, got "speed"');
    expectOneLine(await runCli(['search', '--vary', 'rate', '--slo', 'broadcast.p99 < fast']), /^fanout-bench: --slo: "broadcast.p99 < fast": /);
    expectOneLine(await runCli(['search', '--vary', 'rate', '--slo', 'broadcast.p99 < 1s', '--from', '50', '--to', '10']), '--to: must be at least --from (50), got 10');
    expectOneLine(await runCli(['search', '--vary', 'rate', '--slo', 'broadcast.p99 < 1s', '--resolution', '0']), '--resolution: must be a share from 0.1% to 100%, like "10%" or "0.1", got "0"');
    expectOneLine(await runCli(['search', '--vary', 'rate', '--slo', 'broadcast.p99 < 1s', '--expect', 'most > 3']), /^fanout-bench: --expect: expected "max <op> <number>"/);
  });
});
