import { figureLabel, lookupMetric, namedFigure, type Metric } from '../contracts/metric-catalogue.ts';
import { fmtNum } from '../number-format.ts';
import { ms, type Detector } from './limit-detector.ts';
import { waitsInLatency } from './local-host-waits.ts';

const BROADCAST_P99 = lookupMetric('broadcast.p99') as Metric;
/** A fan-out taking this share of broadcast p99 inside one invocation is what limits it. */
export const FANOUT_DOMINANT_SHARE = 0.5;

/**
 * The fan-out's own duration (the functions' FanoutDurationMs) against broadcast p99: posts per
 * invocation limit a fan-out that takes most of the stack's broadcast latency inside one invocation.
 */
export const fanoutDurationEvidence: Detector = (r, _symptoms, judged) => {
  // a latency that crossed on the host's waits alone, the stack's own figure within the limit: the fan-out did not cross it
  if (judged.crossed.length > 0 && judged.crossed.every((t) => waitsInLatency(r, t).stackWithin)) return undefined;
  const fanout = r.cloudwatch?.emf.FanoutDurationMs;
  // the stack's broadcast p99 where the run has it: the fan-out is a share of the stack's latency, not of the host's waits
  const p99 = BROADCAST_P99.read(r);
  const broadcast = 'value' in p99 ? p99.value : undefined;
  if (!fanout?.p99 || !broadcast || fanout.p99 < FANOUT_DOMINANT_SHARE * broadcast) return undefined;
  const posts = r.cloudwatch?.emf.FanoutDeliveries?.sum ?? 0;
  const perMessage = r.sends.acked > 0 ? posts / r.sends.acked : 0;
  return {
    line: `fan-out completion is limited by posts per invocation: one sendMessage invocation posting to ${fmtNum(perMessage)} members took p99 ${ms(fanout.p99)}, ${Math.round((fanout.p99 / broadcast) * 100)} % of ${figureLabel(BROADCAST_P99, namedFigure(BROADCAST_P99, [r]))} ${ms(broadcast)}`,
    share: Math.min(1, fanout.p99 / broadcast),
  };
};
