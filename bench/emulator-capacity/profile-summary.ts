import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceMapConsumer } from 'source-map-js';

/**
 * Where the CPU went in a profiled local run: every `.cpuprofile` a run wrote (the harness's
 * processes and the stack's threads, each environment's included) summed per component.
 *
 * A profile is classified by the code it ran: the stack's main thread (gateway, @connections,
 * CloudWatch endpoint), dynalite's thread, an execution environment (its bundle, whose source
 * map splits it into AWS SDK, Powertools, handler code and Node internals), the harness's
 * parent or a shard. Times are sampled (the `(idle)` node and the CPU model's sleeps left out),
 * ms: a thread preempted on a busy host is still sampled, so the shares matter, not the sums.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export type Component =
  | 'gateway'
  | 'dynamodb'
  | 'env:sdk'
  | 'env:powertools'
  | 'env:handler'
  | 'env:runtime'
  | 'env:node'
  | 'env:gc+other'
  | 'harness'
  | 'other';

export interface ProfileSummary {
  /** ms of sampled CPU per component */
  byComponent: Record<string, number>;
  /** ms per environment function (sum over its environments) */
  byFunction: Record<string, number>;
  profiles: number;
}

const consumers = new Map<string, SourceMapConsumer | null>();

function sourceOf(url: string, line: number, column: number): string | undefined {
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  let c = consumers.get(file);
  if (c === undefined) {
    try {
      c = new SourceMapConsumer(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      c = null;
    }
    consumers.set(file, c);
  }
  return c?.originalPositionFor({ line: line + 1, column }).source ?? undefined;
}

/** The CPU-share model's Atomics.wait: the thread sleeps there, on no core (cpu-share.ts). */
function isCpuModelBlock(frame: ProfileNode['callFrame']): boolean {
  return frame.functionName === 'block' && frame.url.endsWith('/runtime/worker.mjs');
}

function envComponent(frame: ProfileNode['callFrame']): Component {
  const { url, functionName } = frame;
  if (!url) return functionName === '(garbage collector)' || functionName === '(program)' ? 'env:gc+other' : 'env:node';
  if (url.startsWith('node:')) return 'env:node';
  if (/\/runtime\/worker\.mjs$/.test(url)) return 'env:runtime';
  const src = sourceOf(url, frame.lineNumber, frame.columnNumber) ?? '';
  if (/@aws-sdk|@smithy|@aws-crypto|fast-xml-parser|bowser|tslib/.test(src)) return 'env:sdk';
  if (/@aws-lambda-powertools/.test(src)) return 'env:powertools';
  return 'env:handler';
}

function classify(profile: CpuProfile): { kind: 'env'; fn: string } | { kind: Exclude<Component, `env:${string}`> } {
  const urls = profile.nodes.map((n) => n.callFrame.url);
  const fn = urls.map((u) => /\/functions\/([^/]+)\/index\.(?:m?js)$/.exec(u)?.[1]).find(Boolean);
  if (fn) return { kind: 'env', fn };
  if (urls.some((u) => u.includes('emulator/gateway'))) return { kind: 'gateway' };
  if (urls.some((u) => u.includes('/dynalite/'))) return { kind: 'dynamodb' };
  if (urls.some((u) => u.includes('/src/fleet/') || u.includes('/src/modes/') || u.includes('/src/session/') || u.includes('/src/cli'))) return { kind: 'harness' };
  return { kind: 'other' };
}

export function summarizeProfiles(dir: string): ProfileSummary {
  const byComponent: Record<string, number> = {};
  const byFunction: Record<string, number> = {};
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const f of files) {
    const profile = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const kind = classify(profile);
    const selfMs = new Map<number, number>();
    profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
    for (const [id, ms] of selfMs) {
      const node = nodes.get(id)!;
      if (node.callFrame.functionName === '(idle)' || isCpuModelBlock(node.callFrame)) continue;
      const component = kind.kind === 'env' ? envComponent(node.callFrame) : kind.kind;
      byComponent[component] = (byComponent[component] ?? 0) + ms;
      if (kind.kind === 'env') byFunction[kind.fn] = (byFunction[kind.fn] ?? 0) + ms;
    }
  }
  return { byComponent, byFunction, profiles: files.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: npx tsx bench/emulator-capacity/profile-summary.ts <dir of .cpuprofile files>\n');
    process.exit(2);
  }
  const s = summarizeProfiles(dir);
  const total = Object.values(s.byComponent).reduce((a, b) => a + b, 0);
  const line = (k: string, v: number) => `${k.padEnd(18)} ${(v / 1000).toFixed(2).padStart(8)} s  ${((100 * v) / total).toFixed(1).padStart(5)} %`;
  process.stdout.write(`${s.profiles} profiles, ${(total / 1000).toFixed(2)} CPU-s sampled\n`);
  for (const [k, v] of Object.entries(s.byComponent).sort((a, b) => b[1] - a[1])) process.stdout.write(`${line(k, v)}\n`);
  process.stdout.write('by function:\n');
  for (const [k, v] of Object.entries(s.byFunction).sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${line(k, v)}\n`);
}
