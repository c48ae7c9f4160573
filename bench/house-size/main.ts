import { execFileSync } from 'node:child_process';
import { fmtInt } from '../../src/number-format.ts';

/**
 * Issue 70's first measure: lines of TypeScript per top folder (and per folder of src/), the files
 * they are in and the largest file, at a git revision (default HEAD), read with `git grep -c ''`
 * from the repository's objects, so any two revisions compare without a checkout:
 * `npx tsx bench/house-size/main.ts <rev>`. Generated and vendored trees (node_modules, cdk.out,
 * dist) are not counted.
 */
const rev = process.argv[2] ?? 'HEAD';
const out = execFileSync('git', ['grep', '-c', '', rev, '--', '*.ts', ':!**/node_modules/**', ':!**/cdk.out/**', ':!dist/**'], { encoding: 'utf8', maxBuffer: 256 << 20 });
const files = out
  .trim()
  .split('\n')
  .map((line) => {
    const at = line.lastIndexOf(':');
    return { path: line.slice(line.indexOf(':') + 1, at), lines: Number(line.slice(at + 1)) };
  });

const groupBy = (key: (path: string) => string | undefined) => {
  const groups = new Map<string, { files: number; lines: number; largest: { path: string; lines: number } }>();
  for (const f of files) {
    const k = key(f.path);
    if (k === undefined) continue;
    const g = groups.get(k) ?? { files: 0, lines: 0, largest: f };
    g.files++;
    g.lines += f.lines;
    if (f.lines > g.largest.lines) g.largest = f;
    groups.set(k, g);
  }
  return [...groups.entries()].sort((a, b) => b[1].lines - a[1].lines);
};
const table = (title: string, rows: ReturnType<typeof groupBy>) =>
  [`| ${title} | files | lines | largest file |`, '|---|---:|---:|---|', ...rows.map(([k, g]) => `| ${k} | ${fmtInt(g.files)} | ${fmtInt(g.lines)} | ${g.largest.path} (${fmtInt(g.largest.lines)}) |`)].join('\n');

const sha = execFileSync('git', ['rev-parse', '--short', rev], { encoding: 'utf8' }).trim();
process.stdout.write(`At ${rev} (${sha}):\n\n`);
process.stdout.write(`${table('top folder', groupBy((p) => p.split('/')[0]))}\n\n`);
process.stdout.write(`${table('src/', groupBy((p) => (p.startsWith('src/') ? (p.split('/').length > 2 ? `src/${p.split('/')[1]}/` : 'src/ (its own files)') : undefined)))}\n`);
