import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * bench/RESULTS.md keeps the recorded results of the project's benchmarks. Each benchmark owns
 * the block between its two markers and rewrites only that block, so other sections survive.
 */
export function blockMarkers(name: string, writer: string): { begin: string; end: string } {
  return { begin: `<!-- ${name}:begin (written by ${writer} --write) -->`, end: `<!-- ${name}:end -->` };
}

/** Replaces the block between `markers` in `file` (or appends it), leaving the rest as it was. */
export function writeResultsBlock(file: string, markers: { begin: string; end: string }, body: string[]): void {
  const block = [markers.begin, ...body, markers.end].join('\n');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\nRecorded results of the benchmarks in bench/. Each section names the command that produced it.\n';
  const a = text.indexOf(markers.begin);
  const b = text.indexOf(markers.end);
  const next = a >= 0 && b > a ? `${text.slice(0, a)}${block}${text.slice(b + markers.end.length)}` : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

/**
 * How this benchmark was started, for its recorded command: `npx tsx`, or the pinned Node in
 * `.cache/node` with `--import tsx` when it was run on the emulated runtime's Node.
 */
export function tsxCommand(): string {
  const at = process.execPath.indexOf('.cache/node');
  return at >= 0 ? `${process.execPath.slice(at)} --import tsx` : 'npx tsx';
}
