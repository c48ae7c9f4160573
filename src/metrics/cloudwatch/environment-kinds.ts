import type { InitializationType } from '../../contracts/attribution-schema.ts';
import type { ReportLine } from './report-lines.ts';

/**
 * How the environment that served an invocation was initialized, read from its REPORT line and
 * its log stream (`YYYY/MM/DD/[<version>]<id>`: one stream per environment):
 * - an `Init Duration` (INIT on this request's path) or a first REPORT that had one: on demand;
 * - a `Restore Duration`, or a first REPORT that had one: SnapStart;
 * - a stream whose first REPORT had neither, of a version the target says holds provisioned
 *   concurrency: provisioned (its INIT ran at allocation, off any request's path);
 * - anything else: on demand (an environment warm from before the window).
 * Lambda's text format says no more than that (its JSON format's `platform.initStart` would, but
 * a provisioned environment's falls at allocation, before the window the pull reads). REPORTs
 * come in time order, so a stream's first one is the first read of it. One instance per run.
 */
export class EnvironmentKinds {
  /** by function and stream: what its first REPORT in the window carried */
  private readonly first = new Map<string, 'init' | 'restore' | 'none'>();

  constructor(
    /** function name → the versions holding provisioned concurrency (`1`, `2`) */
    private readonly provisionedVersions: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  of(functionName: string, line: ReportLine, stream: string | undefined): InitializationType {
    const now = line.restoreDurationMs !== undefined ? 'restore' : line.initDurationMs !== undefined ? 'init' : 'none';
    if (stream === undefined) return now === 'restore' ? 'snap-start' : 'on-demand';
    const key = `${functionName}\n${stream}`;
    let first = this.first.get(key);
    if (first === undefined) this.first.set(key, (first = now));
    if (first === 'restore') return 'snap-start';
    if (first === 'init') return 'on-demand';
    const version = /\[([^\]]+)\]/.exec(stream)?.[1];
    return version !== undefined && this.provisionedVersions.get(functionName)?.has(version) ? 'provisioned-concurrency' : 'on-demand';
  }
}
