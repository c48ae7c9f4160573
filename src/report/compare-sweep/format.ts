import type { PointResult, SweepComparison, SweptParameter } from '../../analyses/compare/compare-schema.ts';
import { fmtNum, fmtUsd } from '../../number-format.ts';

/** Wording the sweep's renderers (HTML, Markdown, console) share, so the three say the same thing. */

export function parameterTitle(p: SweptParameter): string {
  return p === 'room-size' ? 'room size' : p === 'payload' ? 'payload' : p === 'provisioned' ? 'provisioned concurrency' : p === 'snapstart' ? 'SnapStart' : 'variant';
}

/** The recommendation's title: what it picks. */
export function pickLine(c: SweepComparison): string {
  if (c.recommendation.rule === 'cheapest-per-room-size') return 'cheapest variant within the SLO, by room size';
  if (c.recommendation.rule === 'cheapest-within-slo') return 'cheapest variant within the SLO';
  if (c.recommendation.rule === 'fewest-within-slo') return 'fewest provisioned environments within the SLO';
  if (c.recommendation.rule === 'off-unless-needed') return 'SnapStart only where the SLO needs it';
  return c.parameter === 'room-size' ? 'largest room size within the SLO' : 'largest payload within the SLO';
}

/**
 * "met", "missed" (and why), or "not judged"; `note` is the point's note (the harness was saturated
 * there, and what that means for the verdict), empty when it has none.
 */
export function sloText(p: PointResult): { verdict: string; why: string; note: string } {
  if (!p.slo) return { verdict: 'not judged', why: '', note: '' };
  const note = p.slo.note ?? '';
  if (p.slo.met) return { verdict: 'met', why: '', note };
  return { verdict: 'missed', why: p.slo.failed.join('; '), note };
}

/** What the point ran: "20 rooms × 10 members, 200 clients, 2.5 msg/s = 25 deliveries/s, 64 B". */
export function settingText(c: SweepComparison, p: PointResult): string {
  const s = p.setting;
  const load = `${fmtNum(s.rooms)} room${s.rooms === 1 ? '' : 's'} × ${fmtNum(s.membersPerRoom)} members, ${fmtNum(s.messagesPerSecond)} msg/s = ${fmtNum(s.deliveriesPerSecond)} deliveries/s, ${fmtNum(s.payloadBytes)} B`;
  const cold = p.coldStarts ? `; ${p.coldStarts.route} ${fmtNum(p.coldStarts.cold)} of ${fmtNum(p.coldStarts.attributed)} cold` : '';
  const pc = s.provisioned;
  if (pc) {
    const monthly = pc.monthlyUsd === null ? '' : `, ${fmtUsd(pc.monthlyUsd)} a month allocated`;
    return `${pc.function}:${pc.qualifier} ${fmtNum(pc.environments)} provisioned${monthly}${cold}; ${load}`;
  }
  const snap = s.snapStart;
  if (snap) {
    const monthly = snap.on && snap.monthlyUsd !== null ? `, ${fmtUsd(snap.monthlyUsd)} a month cached` : '';
    return `${snap.function}:${snap.alias} (version ${snap.version}) SnapStart ${snap.on ? 'on' : 'off'}${monthly}${cold}; ${load}`;
  }
  if (c.parameter !== 'targets') return load;
  const knobs = s.knobs && Object.keys(s.knobs).length > 0 ? ` ${JSON.stringify(s.knobs)}` : '';
  return `${s.target}${knobs}; ${load}`;
}

/** Some point's estimates priced data transfer out (a price file's price: AWS charges none on WebSocket APIs); else no column for it. */
export function transferPriced(c: SweepComparison): boolean {
  return c.points.some((p) => p.costs.dataTransfer !== null);
}
