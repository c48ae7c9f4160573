import { fmtCount } from '../../number-format.ts';
import type { SummaryLength } from './summary-length.ts';

/**
 * A console as sections in the order the full summary prints them, each either part of the brief
 * one (the headline, the table, the answer) or detail the brief one leaves to `--summary full`
 * under a name (`excluded`, `host`, `why`). The brief console counts the detail it leaves out in
 * one line naming where it is (moreLine), so nothing is lost, only moved.
 */
export interface ConsoleSection {
  lines: readonly string[];
  /** detail: left out of the brief console and counted under this name */
  detail?: string;
}

/** The lines at the length asked: every section in full; in brief, all but the detail, then the one line counting it. */
export function sectionLines(sections: readonly ConsoleSection[], length: SummaryLength): string[] {
  if (length === 'full') return sections.flatMap((s) => s.lines);
  const kept = sections.filter((s) => s.detail === undefined).flatMap((s) => s.lines);
  const counts = new Map<string, number>();
  for (const s of sections) if (s.detail !== undefined && s.lines.length > 0) counts.set(s.detail, (counts.get(s.detail) ?? 0) + s.lines.length);
  const more = moreLine(counts);
  return more ? [...kept, more] : kept;
}

/** The brief console's line naming what `--summary full` adds, from its lines counted by kind (in the order first met); none where nothing was left out. */
export function moreLine(counts: ReadonlyMap<string, number>): string | undefined {
  if (counts.size === 0) return undefined;
  const lines = [...counts.values()].reduce((a, b) => a + b, 0);
  return `  more         ${fmtCount(lines, 'line')} of ${[...counts.keys()].join(', ')}: --summary full prints them; summary.md has every fact`;
}
