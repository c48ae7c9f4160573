import { fmtInt, fmtNum } from '../number-format.ts';
import { ms, type Detector } from './limit-detector.ts';

/**
 * The harness's own saturation (its event-loop lag and CPU): its delay is in every number.
 */
export const harnessEvidence: Detector = (r) => {
  const h = r.harness;
  if (!h.saturated) return undefined;
  return `the harness was saturated (event-loop lag p99 ${ms(h.eventLoopLagP99Ms)}, max ${ms(h.eventLoopLagMaxMs)}; peak CPU ${fmtNum(h.cpuCoresMax)} cores on ${fmtInt(h.shards)} shard(s)): its own delay is in the numbers`;
};
