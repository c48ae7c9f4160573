import { fmtNum } from '../../number-format.ts';
import { holds, type Operator } from '../../contracts/threshold.ts';
import type { SearchAnswer } from './search-schema.ts';

/**
 * `--expect 'max >= 2000'`: a search as a CI check. The left side names a number of the answer
 * (`max`: the highest load that met every SLO; `first`: the lowest that did not), the right side a
 * number in the varied load's unit. A search without that number (no load passed; no load failed
 * for `first`) does not hold.
 */
export const EXPECT_SUBJECTS = ['max', 'first'] as const;
export type ExpectSubject = (typeof EXPECT_SUBJECTS)[number];
export type ExpectOperator = Operator;

export interface Expectation {
  expression: string;
  subject: ExpectSubject;
  op: ExpectOperator;
  value: number;
}

/** The expectation, or what is wrong with it (one line, without the flag's name). */
export function parseExpect(text: string): Expectation | { problem: string } {
  const expression = text.replace(/\s+/g, ' ').trim();
  const m = /^(max|first) ?(<=|>=|==|!=|<|>) ?([0-9]+(?:\.[0-9]+)?)$/.exec(expression);
  if (!m) return { problem: `expected "max <op> <number>" or "first <op> <number>" with op one of < <= > >= == !=, e.g. "max >= 2000", got "${text}"` };
  return { expression, subject: m[1] as ExpectSubject, op: m[2] as ExpectOperator, value: Number(m[3]) };
}

export function judgeExpect(e: Expectation, answer: SearchAnswer, unit: string): { expression: string; held: boolean; detail: string } {
  const observed = e.subject === 'max' ? answer.maxPassing : answer.firstFailing;
  const what = e.subject === 'max' ? 'the highest load that met every SLO' : 'the first load that did not';
  if (observed === null) return { expression: e.expression, held: false, detail: `${what}: none was found, so "${e.expression}" does not hold` };
  const held = holds(observed, e.op, e.value);
  return { expression: e.expression, held, detail: `${what} is ${fmtNum(observed)} ${unit}: "${e.expression}" ${held ? 'holds' : 'does not hold'}` };
}

