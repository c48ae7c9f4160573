import { fmtInt } from '../number-format.ts';
import { shareOf, type Detector } from './limit-detector.ts';

/**
 * @connections posts that failed or timed out (the functions' FanoutPostErrors and
 * FanoutPostTimeouts), against the posts delivered; their share of a loss.
 */
export const postErrorEvidence: Detector = (r, symptoms) => {
  const emf = r.cloudwatch?.emf ?? {};
  const errors = emf.FanoutPostErrors?.sum ?? 0;
  const timeouts = emf.FanoutPostTimeouts?.sum ?? 0;
  if (errors + timeouts === 0) return undefined;
  const delivered = emf.FanoutDeliveries?.sum ?? 0;
  return {
    line: `@connections posts failed: ${fmtInt(errors)} errors and ${fmtInt(timeouts)} timeouts against ${fmtInt(delivered)} posts delivered`,
    share: symptoms.has('loss') ? shareOf(errors + timeouts, r.deliveries.lost) : undefined,
  };
};
