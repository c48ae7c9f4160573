import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/**
 * `npx tsx bench/soak/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [--top 25]`
 *
 * What grew between two heap snapshots of the same process (from `bench/soak/main.ts
 * --heap-snapshots`): objects grouped by constructor (or, for strings, arrays and code, by V8's
 * node type), counted and sized in each snapshot, sorted by the bytes they added. A leak shows
 * as a group that grows with the run's length; the snapshots open in Chrome DevTools (Memory →
 * Load) to follow its retainers.
 */
interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

interface Group {
  count: number;
  bytes: number;
}

/** V8 node types whose names are not constructor names (a string's name is its text). */
const BY_TYPE = new Set(['string', 'concatenated string', 'sliced string', 'code', 'number', 'hidden', 'array', 'native', 'symbol', 'bigint']);

export function groupSnapshot(file: string): Map<string, Group> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, Group>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const key = BY_TYPE.has(type) ? `(${type})` : `${snap.strings[snap.nodes[i + nameAt]!]} (${type})`;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += snap.nodes[i + sizeAt]!;
    groups.set(key, g);
  }
  return groups;
}

export function diffGroups(before: Map<string, Group>, after: Map<string, Group>) {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .map((key) => {
      const a = before.get(key) ?? { count: 0, bytes: 0 };
      const b = after.get(key) ?? { count: 0, bytes: 0 };
      return { key, count: b.count - a.count, bytes: b.bytes - a.bytes, countAfter: b.count, bytesAfter: b.bytes };
    })
    .sort((x, y) => y.bytes - x.bytes);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  if (positionals.length !== 2) {
    process.stderr.write('heap-diff: usage: heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [--top N]\n');
    process.exit(2);
  }
  const [a, b] = positionals.map(groupSnapshot) as [Map<string, Group>, Map<string, Group>];
  const total = (g: Map<string, Group>) => [...g.values()].reduce((s, x) => s + x.bytes, 0);
  process.stdout.write(`self size: ${(total(a) / 1024).toFixed(0)} KB → ${(total(b) / 1024).toFixed(0)} KB\n`);
  process.stdout.write(`${'Δ bytes'.padStart(10)} ${'Δ count'.padStart(9)} ${'count after'.padStart(12)}  group\n`);
  for (const d of diffGroups(a, b).slice(0, Number(values.top))) {
    process.stdout.write(`${String(d.bytes).padStart(10)} ${String(d.count).padStart(9)} ${String(d.countAfter).padStart(12)}  ${d.key}\n`);
  }
}
