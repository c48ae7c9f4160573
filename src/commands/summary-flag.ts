import type { Command } from 'commander';
import { UserError } from '../../common/errors.ts';
import { BRIEF_MAX_LINES, SUMMARY_LENGTHS, type SummaryLength } from '../report/shared/summary-length.ts';

/** How much of a run the console says; summary.md keeps every fact either way. */
export function summaryFlag(cmd: Command, applies = ''): Command {
  return cmd.option('--summary <length>', `${applies}the console's summary: brief (the default: the headline, the table, the verdict or answer, the rest counted in one line; a run's at most ${BRIEF_MAX_LINES} lines) or full (every line)`);
}

/** --summary's value, checked: one line naming the flag for anything else. */
export function summaryLength(value: string | undefined): SummaryLength {
  if (value === undefined) return 'brief';
  if ((SUMMARY_LENGTHS as readonly string[]).includes(value)) return value as SummaryLength;
  throw new UserError(`--summary: must be ${SUMMARY_LENGTHS.join(' or ')}, got ${value}`);
}
