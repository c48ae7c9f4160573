import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/analyses/plan/build-plan.ts';
import type { Plan } from '../../src/analyses/plan/plan-schema.ts';
import { readPlanDirs } from '../../src/analyses/plan/run-dirs.ts';
import { trafficFlags } from '../../src/commands/plan.ts';
import { readComparison } from '../../src/report/compare/read-comparison.ts';
import { COMPARE_FILES } from '../../src/report/compare/write.ts';
import { renderPlanConsole } from '../../src/report/plan/console.ts';
import { renderPlanHtml } from '../../src/report/plan/html.ts';
import { renderPlanMarkdown } from '../../src/report/plan/md.ts';
import { readResults } from '../../src/report/run/results-file.ts';

/**
 * The plan, as a new user makes it: the recorded default run (rooms of 9.55 members on
 * average) planned at `--connections 50000 --room-size 10 --messages-per-s 500`, on a 2-vCPU host.
 * Its console, summary.md and index.html write each number one way: separators in counts, one
 * rounding of a room size, words for shares no one reads as digits, no exponent; and the Load
 * hosts table says what differs between host sizes and what lifts the port bound.
 */
let plan: Plan;
let texts: { name: string; text: string }[];

/** index.html's text, tags and the inlined scripts and styles dropped. */
const pageText = (html: string) =>
  html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

beforeAll(async () => {
  const { runs, notes } = await readPlanDirs([fileURLToPath(new URL('../fixtures/plan/default-run', import.meta.url))], {
    resultsFile: 'results.json',
    readResults,
    comparisonFile: COMPARE_FILES.json,
    readComparison,
  });
  const traffic = trafficFlags({ connections: '50000', roomSize: '10', messagesPerS: '500' } as Parameters<typeof trafficFlags>[0]);
  plan = buildPlan({
    runs,
    readNotes: notes,
    ...(traffic ? { traffic } : {}),
    host: { vcpus: 2, memoryBytes: 24 * 2 ** 30, openFiles: 20_000, ports: 28_232 },
    toolVersion: '0.1.0',
    createdAt: '2026-03-01T12:00:00.000Z',
  });
  texts = [
    { name: 'console', text: renderPlanConsole(plan).join('\n') },
    { name: 'summary.md', text: renderPlanMarkdown(plan).replace(/\\_/g, '_').replace(/&#39;/g, "'").replace(/&quot;/g, '"') },
    { name: 'index.html', text: pageText(renderPlanHtml(plan)) },
  ];
});

describe("the issue's plan writes each number one way", () => {
  it('the measured room size is 9.6 in the notes and the tables alike, never 9.55', () => {
    expect(plan.workModel.runs[0]!.roomSize).toBeCloseTo(9.55, 2);
    for (const { name, text } of texts) expect(text, name).not.toMatch(/9\.55/);
    expect(plan.notes).toContain('the runs measured rooms of 9.6: fanout-send-message: billed time scaled per recipient, invocations per message');
    // the work model's runs table: measured on, CloudWatch, duration, room size
    expect(texts[1]!.text).toMatch(/\| emulator \| local \| [\d.,]+ s \| 9\.6 \|/);
  });

  it('every count has its separators: no 50000 beside 50,000, no 27.778, no exponent', () => {
    expect(plan.notes).toContain('a flat month: 50,000 connections, rooms of 10, 500 messages/s, 27.8 connects/s, held 24 h a day for 30 days');
    for (const { name, text } of texts) {
      // the sysctl setting is written as typed
      const t = text.replace(/ip_local_port_range = 1024 65535/g, '');
      // a number of 4 or more digits without its separator, not part of a run id or a date (20261125-022508)
      const raw = [...t.matchAll(/(?<![\d,.\-–:])\d{4,}(?![\d,\-])/g)].map((m) => t.slice(Math.max(0, m.index - 30), m.index + m[0].length + 10));
      // Lambda memory in a cost line's item ("(1024 MB, x86_64)") is the item's name, matched against results.json's lines
      expect(raw.filter((r) => !/\(\d+ MB, /.test(r)), name).toEqual([]);
      expect(text, name).not.toMatch(/\d(\.\d+)?e[+-]\d/);
      // a rate too slow for a decimal says how often: no createRoom 0.000000386/s
      expect(text, name).not.toMatch(/0\.000\d*\/s/);
    }
    expect(texts[1]!.text).toMatch(/createRoom 1 every [\d.]+ days × 1/);
  });

  it('a share far below its limit says so: no 0.0000535 %, no ×1,869,159 to the limit', () => {
    const tiny = plan.headroom.find((h) => h.share > 0 && h.share < 0.001)!;
    expect(tiny).toBeDefined();
    expect(texts[0]!.text + texts[1]!.text).toContain('far below 1 %');
    const html = renderPlanHtml(plan);
    expect(html).toContain('far below the limit');
    expect(html).not.toMatch(/×\d{1,3}(,\d{3})+ to the limit/);
    for (const { name, text } of texts) expect(text, name).not.toMatch(/0\.0+\d+ %/);
  });
});

describe("the issue's Load hosts table", () => {
  it('says what differs between host sizes: each row its own memory and open files, not one sentence five times', () => {
    const l = plan.loadHosts!;
    expect(l.sizes.every((s) => s.binding === 'ports')).toBe(true);
    const whys = l.sizes.map((s) => s.why);
    expect(new Set(whys).size).toBe(whys.length);
    expect(l.sizes.find((s) => s.name === 'c7i.large')!.why).toBe('50,000 connections ÷ 28,232 a host; memory 388,464 and open files 144,000 would hold more');
    expect(texts[1]!.text).toContain('| c7i.2xlarge (8 vCPUs, 16 GiB) | 28,232 (ports) | 560,000 | **2** | ports | 50,000 connections ÷ 28,232 a host; memory 1,611,440 and open files 576,000 would hold more; 1 host past the ports (more source or target addresses; open files next) |');
  });

  it("says that an AWS endpoint's several addresses and a wider port range lift the port bound, with the number", () => {
    const note =
      'ports bind every size at 28,232 a host: against an AWS endpoint, which resolves to several addresses, each address a connection lands on gives a source address another 28,232, and a wider port range (net.ipv4.ip_local_port_range = 1024 65535) gives 64,512 an address; at 64,512 to one address every size takes 1 host';
    expect(plan.loadHosts!.notes).toContain(note);
    expect(texts[1]!.text).toContain(note);
    expect(texts[2]!.text).toContain(note);
  });
});
