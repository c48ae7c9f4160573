import type { ExpectedCounts } from './await-published.ts';
import type { CloudWatchResults, Completeness, FamilyCompleteness } from '../../contracts/cloudwatch-schema.ts';

/**
 * Per metric family, whether the pulled totals hold all of the run: each count the harness
 * predicted is reached (invocations per function, ConnectCount, FanoutDeliveries; REPORT lines
 * against Invocations), and the counts had stopped changing when they were pulled (`stable`).
 * A family with nothing expected and nothing published is left out (nothing to say about it).
 * Pure: the puller records it, `report --repull` recomputes it.
 */
export type PulledTotals = Pick<CloudWatchResults, 'functions' | 'lambda' | 'apiGateway' | 'apiGatewayTotals' | 'emf' | 'dynamodb' | 'reports'>;

export function metricCompleteness(r: PulledTotals, expected: ExpectedCounts | undefined, stable: boolean, o: { reportLines: boolean }): Completeness {
  const out: Completeness = {};
  const still = stable ? '' : '; the counts were still changing';
  const judge = (published: number, want: number | undefined, short: string[], what: string): FamilyCompleteness | undefined => {
    const counts = { published, ...(want !== undefined ? { expected: want } : {}) };
    if (published === 0 && (want ?? 0) > 0) return { status: 'missing', ...counts, detail: `none published of ${want} ${what}` };
    if (published === 0 && want === undefined && !stable) return { status: 'missing', ...counts, detail: `none published yet of ${what}` };
    if (published === 0 && want === undefined) return undefined;
    if (short.length > 0 || !stable) return { status: 'partial', ...counts, detail: `${short.length > 0 ? short.join(', ') : `${published} ${what}`}${still}` };
    return { status: 'complete', ...counts, detail: `${published} ${what}${want !== undefined ? ` (at least ${want} expected)` : ''}` };
  };

  const want = expected?.invocations ?? {};
  const lambdaShort = Object.entries(want)
    .filter(([fn, n]) => (r.lambda[fn]?.invocations ?? 0) < n)
    .map(([fn, n]) => `${fn} ${r.lambda[fn]?.invocations ?? 0} of ${n} invocations`);
  const invocations = r.functions.reduce((n, fn) => n + (r.lambda[fn]?.invocations ?? 0), 0);
  const wantSum = Object.values(want).reduce((a, b) => a + b, 0);
  const lambda = r.functions.length > 0 ? judge(invocations, expected ? wantSum : undefined, lambdaShort, 'invocations') : undefined;
  if (lambda) out.lambda = lambda;

  if (r.apiGateway) {
    const got = r.apiGatewayTotals?.connectCount ?? 0;
    const n = expected?.connectCount;
    const api = judge(got, n, n !== undefined && got < n ? [`ConnectCount ${got} of ${n}`] : [], 'connects (ConnectCount)');
    if (api) out.apiGateway = api;
  }

  const posts = r.emf.FanoutDeliveries?.sum ?? 0;
  const n = expected?.fanoutDeliveries;
  const emf = judge(posts, n, n !== undefined && posts < n ? [`FanoutDeliveries ${posts} of ${n}`] : [], 'posts (FanoutDeliveries)');
  if (emf) out.emf = emf;

  if (r.dynamodb) {
    let units = 0;
    for (const t of Object.values(r.dynamodb)) units += t.readUnits + t.writeUnits;
    // no count to predict: connections opened say some writes are due, and stopping counts say they are all in
    if (units === 0 && (expected?.connectCount ?? 0) > 0) out.dynamodb = { status: 'missing', published: 0, detail: 'no consumed units published' };
    else if (!stable) out.dynamodb = { status: 'partial', published: units, detail: `${units} consumed units${still}` };
    else if (units > 0) out.dynamodb = { status: 'complete', published: units, detail: `${units} consumed units` };
  }

  if (o.reportLines && r.functions.length > 0) {
    const short: string[] = [];
    let lines = 0;
    for (const fn of r.functions) {
      const report = r.reports[fn];
      const got = report?.invocations ?? 0;
      lines += got;
      const due = Math.max(r.lambda[fn]?.invocations ?? 0, want[fn] ?? 0);
      if (got < due || report?.truncated) short.push(`${fn} ${got} of ${due} REPORT lines${report?.truncated ? ' (page limit)' : ''}`);
    }
    const due = r.functions.reduce((s, fn) => s + Math.max(r.lambda[fn]?.invocations ?? 0, want[fn] ?? 0), 0);
    const reports = judge(lines, due, short, 'REPORT lines');
    if (reports) out.reports = reports;
  }
  return clean(out);
}

/** zod would keep `expected: undefined` as a key in results.json: drop it. */
function clean(c: Completeness): Completeness {
  for (const f of Object.values(c)) if (f && f.expected === undefined) delete f.expected;
  return c;
}

/** The families not complete, as one line each ("lambda partial: …"), for warnings and notes. */
export function incompleteFamilies(c: Completeness | undefined): string[] {
  if (!c) return [];
  return Object.entries(c).flatMap(([family, f]) => (f && f.status !== 'complete' ? [`${family} ${f.status}: ${f.detail}`] : []));
}
