/**
 * How much of a run the console says (`--summary`): brief, the default, read at a glance in at
 * most BRIEF_MAX_LINES lines (console-brief.ts); full, every line (console.ts). Apart from both
 * renderers so that reading the flag loads neither.
 */
export const SUMMARY_LENGTHS = ['brief', 'full'] as const;
export type SummaryLength = (typeof SUMMARY_LENGTHS)[number];

export const BRIEF_MAX_LINES = 25;
