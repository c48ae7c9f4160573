import { fmtRoomSize, fmtSignificant } from '../../number-format.ts';
import type { DurationFit } from './plan-schema.ts';

/**
 * A fan-out function's billed time against the room size: measured at several room sizes (a
 * `compare --room-size` sweep), its billed ms per invocation is fitted by a straight line through
 * one point per room size (least squares, every point weighed alike: a size measured in more
 * runs is steadier, not more of the line), and a planned room size is billed off the line
 * instead of scaled per recipient from the pooled runs.
 */

/** r² under this: the line explains its points poorly, and the plan says so. */
export const POOR_FIT_R2 = 0.9;

export interface Line {
  intercept: number;
  slope: number;
  /** 1 − residual ÷ total sum of squares; 1 when the points are all on the line (a flat set included) */
  r2: number;
}

/** Least squares through (x, y) points, at least two of them at different x. */
export function leastSquares(points: ReadonlyArray<{ x: number; y: number }>): Line {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  if (!(sxx > 0)) throw new Error('leastSquares: the points need two different x');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let ssRes = 0;
  let ssTot = 0;
  for (const p of points) {
    ssRes += (p.y - (intercept + slope * p.x)) ** 2;
    ssTot += (p.y - my) ** 2;
  }
  return { intercept, slope, r2: ssTot > 0 ? 1 - ssRes / ssTot : 1 };
}

export interface FitPoint {
  recipients: number;
  billedMsPerInvocation: number;
  runs: string[];
}

/** The fit of the points; undefined with fewer than two room sizes. */
export function durationFit(points: readonly FitPoint[]): DurationFit | undefined {
  if (new Set(points.map((p) => p.recipients)).size < 2) return undefined;
  const line = leastSquares(points.map((p) => ({ x: p.recipients, y: p.billedMsPerInvocation })));
  return {
    interceptMs: line.intercept,
    perRecipientMs: line.slope,
    r2: line.r2,
    points: [...points].sort((a, b) => a.recipients - b.recipients).map((p) => ({ recipients: p.recipients, billedMsPerInvocation: p.billedMsPerInvocation, runs: [...p.runs] })),
  };
}

/** Billed ms of one invocation at a room of `recipients`, off the line; never below 0 (`clamped` when the line is). */
export function billedMsAt(fit: Pick<DurationFit, 'interceptMs' | 'perRecipientMs'>, recipients: number): { ms: number; clamped: boolean } {
  const ms = fit.interceptMs + fit.perRecipientMs * recipients;
  return ms < 0 ? { ms: 0, clamped: true } : { ms, clamped: false };
}

const fmt = fmtSignificant;

/** The line as a sentence: "billed ms per invocation = 12.3 + 0.0451 × recipients". */
export function lineText(fit: Pick<DurationFit, 'interceptMs' | 'perRecipientMs'>): string {
  const sign = fit.perRecipientMs < 0 ? '−' : '+';
  return `billed ms per invocation = ${fmt(fit.interceptMs)} ${sign} ${fmt(Math.abs(fit.perRecipientMs))} × recipients`;
}

/** What the work model says of a function's fit: the line, its points and r², and whether to trust it. */
export function fitNotes(name: string, fit: DurationFit): string[] {
  const sizes = fit.points.map((p) => fmtRoomSize(p.recipients)).join(', ');
  const notes = [`${name}: ${lineText(fit)} (least squares over rooms of ${sizes}; r² ${fmt(fit.r2)}): a fan-out invocation is billed off this line at the planned room size`];
  if (fit.points.length === 2) {
    notes.push(`${name}: a line through two room sizes passes through both (its r² of 1 says nothing): a third size (compare --room-size) tests it`);
  } else if (fit.r2 < POOR_FIT_R2) {
    notes.push(`${name}: the line fits its points poorly (r² ${fmt(fit.r2)} < ${POOR_FIT_R2}): the billed time between and beyond the sizes measured is uncertain; more repeats per size (compare --repeat) steady the points`);
  }
  return notes;
}

/** What the plan says of a fit at its room size: a line read beyond the sizes measured, or below 0 ms. */
export function fitAtNotes(name: string, fit: DurationFit, roomSize: number): string[] {
  const notes: string[] = [];
  const xs = fit.points.map((p) => p.recipients);
  const at = billedMsAt(fit, roomSize);
  notes.push(`${name}: ${fmt(at.ms)} billed ms per invocation at rooms of ${fmtRoomSize(roomSize)}, off the line`);
  if (roomSize > Math.max(...xs) || roomSize < Math.min(...xs)) {
    notes.push(`${name}: rooms of ${fmtRoomSize(roomSize)} are outside the sizes measured (${fmtRoomSize(Math.min(...xs))} to ${fmtRoomSize(Math.max(...xs))}): the line is extrapolated`);
  }
  if (at.clamped) {
    notes.push(`${name}: the line falls below 0 ms at rooms of ${fmtRoomSize(roomSize)} (${fmt(fit.interceptMs + fit.perRecipientMs * roomSize)} ms): billed at 0 there, which no invocation is; measure near that size`);
  }
  return notes;
}
