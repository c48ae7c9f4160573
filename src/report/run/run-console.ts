import type { Results } from '../../contracts/results-schema.ts';
import { CONSOLE_WIDTH } from '../shared/console-lines.ts';
import { briefConsoleSummary, type ConsoleFiles } from './console-brief.ts';
import { consoleSummary } from './console.ts';
import type { SummaryLength } from '../shared/summary-length.ts';

/** A run's console at the length asked; either ends with where the results (and the report) are. */
export function runConsole(r: Results, files: ConsoleFiles, length: SummaryLength, width: number = CONSOLE_WIDTH): string {
  const full = `${consoleSummary(r, files.results, width)}${files.report ? `report:  ${files.report}\n` : ''}`;
  return length === 'full' ? full : briefConsoleSummary(r, files, full.split('\n'), width);
}
