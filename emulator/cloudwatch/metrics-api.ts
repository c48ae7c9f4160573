import { z } from 'zod';
import { AwsApiError, parseRequest } from './aws-json.ts';
import { MetricQueryError, type MetricStore, type SeriesPoint } from './metric-store.ts';

/** CloudWatch's GetMetricData and ListMetrics over the MetricStore (AWS JSON 1.0 shapes). */

const NAMESPACE = 'com.amazonaws.cloudwatch';
const DEFAULT_MAX_DATAPOINTS = 100_800;
const LIST_PAGE_SIZE = 500;

const Dimension = z.object({ Name: z.string().min(1).max(255), Value: z.string().min(1).max(1024) });
const MetricStat = z.object({
  Metric: z.object({
    Namespace: z.string().min(1).max(255),
    MetricName: z.string().min(1).max(255),
    Dimensions: z.array(Dimension).max(30).optional(),
  }),
  Period: z.number().int().positive(),
  Stat: z.string().min(1),
  Unit: z.string().min(1).optional(),
});
const MetricDataQuery = z.object({
  Id: z.string().max(255).regex(/^[a-z][a-zA-Z0-9_]*$/, 'must start with a lowercase letter and contain only letters, digits and _'),
  MetricStat: MetricStat.optional(),
  Expression: z.string().optional(),
  Label: z.string().optional(),
  ReturnData: z.boolean().optional(),
  Period: z.number().int().positive().optional(),
  AccountId: z.string().optional(),
});
const GetMetricDataInput = z.object({
  MetricDataQueries: z.array(MetricDataQuery).min(1).max(500),
  StartTime: z.number(),
  EndTime: z.number(),
  NextToken: z.string().optional(),
  ScanBy: z.enum(['TimestampDescending', 'TimestampAscending']).optional(),
  MaxDatapoints: z.number().int().positive().optional(),
  LabelOptions: z.object({ Timezone: z.string().optional() }).optional(),
});
const ListMetricsInput = z.object({
  Namespace: z.string().min(1).optional(),
  MetricName: z.string().min(1).optional(),
  Dimensions: z.array(z.object({ Name: z.string().min(1), Value: z.string().optional() })).max(10).optional(),
  NextToken: z.string().optional(),
  RecentlyActive: z.literal('PT3H').optional(),
  IncludeLinkedAccounts: z.boolean().optional(),
  OwningAccount: z.string().optional(),
});

function invalid(message: string): AwsApiError {
  return new AwsApiError(`${NAMESPACE}#InvalidParameterValueException`, message, 400, 'InvalidParameterValue;Sender');
}
function validation(message: string): AwsApiError {
  return new AwsApiError(`${NAMESPACE}#ValidationException`, message, 400, 'ValidationError;Sender');
}
function badToken(): AwsApiError {
  return new AwsApiError(`${NAMESPACE}#InvalidNextToken`, 'The NextToken is invalid for this request.', 400, 'InvalidNextToken;Sender');
}
function inputError(_field: string, missing: boolean, message: string): AwsApiError {
  return missing
    ? new AwsApiError(`${NAMESPACE}#MissingRequiredParameterException`, message, 400, 'MissingParameter;Sender')
    : invalid(message);
}

interface PageToken {
  offset: number;
  start: number;
  end: number;
}

function encodeToken(t: PageToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(token: string, start: number, end: number): PageToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken;
    if (Number.isInteger(t.offset) && t.offset >= 0 && t.start === start && t.end === end) return t;
  } catch {
    // fall through
  }
  throw badToken();
}

export function getMetricData(store: MetricStore, body: unknown): unknown {
  const input = parseRequest(GetMetricDataInput, body, inputError);
  const startMs = input.StartTime * 1000;
  const endMs = input.EndTime * 1000;
  if (!(startMs < endMs)) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  const ids = new Set<string>();
  input.MetricDataQueries.forEach((q, i) => {
    const field = `MetricDataQueries.member.${i + 1}`;
    if (ids.has(q.Id)) throw validation(`The values for parameter Id in MetricDataQueries are not unique (${q.Id}).`);
    ids.add(q.Id);
    if (q.Expression !== undefined) {
      throw validation(`${field}.Expression: metric math expressions are not supported by the local emulator; query each metric with MetricStat.`);
    }
    if (!q.MetricStat) throw validation(`${field}: exactly one of MetricStat or Expression is required.`);
  });

  const results: Array<{ id: string; label: string; points: SeriesPoint[] }> = [];
  for (const q of input.MetricDataQueries) {
    if (q.ReturnData === false) continue;
    const ms = q.MetricStat!;
    let points: SeriesPoint[];
    try {
      points = store.query({
        namespace: ms.Metric.Namespace,
        metricName: ms.Metric.MetricName,
        dimensions: Object.fromEntries((ms.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value])),
        unit: ms.Unit,
        stat: ms.Stat,
        periodSeconds: ms.Period,
        startTime: startMs,
        endTime: endMs,
      });
    } catch (err) {
      if (err instanceof MetricQueryError) throw invalid(`Query ${q.Id}: ${err.message}`);
      throw err;
    }
    if (input.ScanBy !== 'TimestampAscending') points.reverse();
    results.push({ id: q.Id, label: q.Label ?? ms.Metric.MetricName, points });
  }

  const offset = input.NextToken ? decodeToken(input.NextToken, input.StartTime, input.EndTime).offset : 0;
  const pageEnd = offset + (input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS);
  let base = 0;
  let more = false;
  const MetricDataResults = results.map((r) => {
    const from = Math.min(Math.max(offset - base, 0), r.points.length);
    const to = Math.min(Math.max(pageEnd - base, 0), r.points.length);
    base += r.points.length;
    const partial = to < r.points.length;
    if (partial) more = true;
    const page = r.points.slice(from, to);
    return {
      Id: r.id,
      Label: r.label,
      Timestamps: page.map((p) => p.timestamp / 1000),
      Values: page.map((p) => p.value),
      StatusCode: partial ? 'PartialData' : 'Complete',
      Messages: [],
    };
  });
  return {
    MetricDataResults,
    Messages: [],
    ...(more ? { NextToken: encodeToken({ offset: pageEnd, start: input.StartTime, end: input.EndTime }) } : {}),
  };
}

export function listMetrics(store: MetricStore, body: unknown): unknown {
  const input = parseRequest(ListMetricsInput, body, inputError);
  const all = store.listMetrics({
    namespace: input.Namespace,
    metricName: input.MetricName,
    dimensions: input.Dimensions?.map((d) => ({ name: d.Name, value: d.Value })),
  });
  let offset = 0;
  if (input.NextToken) {
    offset = Number(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw badToken();
  }
  const page = all.slice(offset, offset + LIST_PAGE_SIZE);
  return {
    Metrics: page.map((m) => ({
      Namespace: m.namespace,
      MetricName: m.metricName,
      Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
    })),
    ...(offset + LIST_PAGE_SIZE < all.length
      ? { NextToken: Buffer.from(String(offset + LIST_PAGE_SIZE)).toString('base64url') }
      : {}),
  };
}
