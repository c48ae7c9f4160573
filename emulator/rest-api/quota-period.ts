/**
 * A usage plan's quota period as API Gateway counts it: a day, a week or a month in UTC, the
 * count starting again at each period's start. Where a period starts AWS's pages do not say;
 * assumed here: a day at 00:00 UTC, a week on Sunday 00:00 UTC (the day an older API reference
 * names for an Offset of 0), a month on its 1st at 00:00 UTC.
 *
 * QuotaSettings.Offset is "the number of requests subtracted from the given limit in the initial
 * time period" (the current API and CloudFormation references): the period the stack started in
 * allows `limit - offset`, every later one `limit`.
 */

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

/** The start (ms since the epoch) of the period holding `now`. */
export function periodStart(period: QuotaPeriod, now: number): number {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  switch (period) {
    case 'DAY':
      return day;
    case 'WEEK':
      return day - d.getUTCDay() * 86_400_000;
    case 'MONTH':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
}

/** One key's count against one plan's quota. */
export class QuotaCounter {
  private start: number;
  private used = 0;
  private readonly firstStart: number;

  constructor(
    private readonly quota: { limit: number; period: QuotaPeriod; offset: number },
    /** when the stack started: its period is the initial one */
    startedAt: number,
    private readonly now: () => number = Date.now,
  ) {
    this.firstStart = periodStart(quota.period, startedAt);
    this.start = this.firstStart;
  }

  /** Takes one request from the period's allowance; false when the period's quota is used up. */
  tryTake(): boolean {
    const start = periodStart(this.quota.period, this.now());
    if (start !== this.start) {
      this.start = start;
      this.used = 0;
    }
    const allowed = this.quota.limit - (start === this.firstStart ? this.quota.offset : 0);
    if (this.used >= allowed) return false;
    this.used++;
    return true;
  }
}
