import { localHostFindings, type HostFinding, type LocalHostView } from '../metrics/cloudwatch/local-host.ts';
import { fmtInt } from '../number-format.ts';
import { partOfWhole, partOfWholeText } from '../part-of-whole.ts';

/**
 * The words of the local host's contention, said the same way by the run's warnings (console,
 * summary.md, index.html), a comparison's notes and the diagnosis's evidence.
 */

const ms = (v: number | null) => (v === null ? '?' : `${fmtInt(Math.round(v))} ms`);

/** "local host held back 197 of 200 fanout-connect invocations (wait p50 512 ms, p99 639 ms) where AWS would have started an environment: …" */
export function hostFindingText(f: HostFinding): string {
  if (f.sign === 'busy') return `local host busy: its cores averaged ${Math.round(f.busyAvgPercent)} % during the run, so latencies include waiting for a core, which AWS would not have`;
  const effect = f.inLatencies ? "their clients' latencies include that wait" : `no client waits for ${f.route}, but the stack's work on it ended that much later`;
  const counted = partOfWhole(f.count, f.invocations, { part: 'waits', whole: 'invocations' });
  const what = `${counted.disagree ? '' : `${partOfWholeText(counted)} `}${f.held.fn} invocations (wait p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)})`;
  const disagree = counted.disagree ? `; ${counted.disagree} (waits of invocations begun before the run's window)` : '';
  return `local host held back ${what} where AWS would have started an environment: ${effect}${disagree}`;
}

/**
 * One line per way the local host's contention shows in the run; none on AWS or when the host
 * kept up. Pure: the console summary, summary.md and the HTML report all print these.
 */
export function localHostWarnings(r: LocalHostView): string[] {
  return localHostFindings(r).map(hostFindingText);
}
