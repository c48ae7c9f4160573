import type { MetricDatum } from './types.ts';

/**
 * CloudWatch embedded metric format (EMF): a JSON log event whose `_aws.CloudWatchMetrics`
 * directives name metrics (values at the root, a number or an array of numbers) and dimension
 * sets (names of root string fields). CloudWatch Logs turns each value x dimension set into a
 * data point. Lines may carry the Lambda Node.js text prefix (`time\trequestId\tLEVEL\t{…}`,
 * what console.log produces on Lambda); Powertools writes the bare JSON.
 */

interface EmfDirective {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

/** Cheap pre-check before JSON.parse: only lines that can be EMF. */
export function mayBeEmf(line: string): boolean {
  return line.includes('"_aws"') && line.includes('CloudWatchMetrics');
}

/** The JSON part of a log line: the whole line, or what follows the Lambda text prefix. */
function jsonPart(line: string): string | undefined {
  if (line.startsWith('{')) return line;
  // time \t requestId \t LEVEL \t message
  let tab = -1;
  for (let n = 0; n < 3; n++) {
    tab = line.indexOf('\t', tab + 1);
    if (tab < 0) return undefined;
  }
  const rest = line.slice(tab + 1);
  return rest.startsWith('{') ? rest : undefined;
}

/**
 * Data points in one EMF log line, or undefined when the line is not valid EMF (CloudWatch then
 * keeps the log event and extracts nothing). Without `_aws.Timestamp`, `fallbackTimestamp` is used.
 */
export function parseEmfLine(line: string, fallbackTimestamp: number): MetricDatum[] | undefined {
  const json = jsonPart(line.trimEnd());
  if (json === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || !isRecord(doc._aws)) return undefined;
  const aws = doc._aws;
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives)) return undefined;
  const timestamp = typeof aws.Timestamp === 'number' && Number.isFinite(aws.Timestamp) ? aws.Timestamp : fallbackTimestamp;

  const out: MetricDatum[] = [];
  for (const directive of directives as EmfDirective[]) {
    if (!isRecord(directive) || typeof directive.Namespace !== 'string' || directive.Namespace === '') return undefined;
    if (!Array.isArray(directive.Metrics)) return undefined;
    const dimensionSets = directive.Dimensions === undefined ? [[]] : directive.Dimensions;
    if (!Array.isArray(dimensionSets)) return undefined;
    const resolvedSets: Array<Record<string, string>> = [];
    for (const set of dimensionSets.length === 0 ? [[]] : dimensionSets) {
      if (!Array.isArray(set)) return undefined;
      const dims: Record<string, string> = {};
      for (const name of set) {
        const value = typeof name === 'string' ? doc[name] : undefined;
        if (typeof value !== 'string') return undefined; // a dimension must name a root string field
        dims[name] = value;
      }
      resolvedSets.push(dims);
    }
    for (const metric of directive.Metrics) {
      if (!isRecord(metric) || typeof metric.Name !== 'string') return undefined;
      const raw = doc[metric.Name];
      const values = Array.isArray(raw) ? raw : [raw];
      const unit = typeof metric.Unit === 'string' ? metric.Unit : undefined;
      for (const value of values) {
        if (typeof value !== 'number' || !Number.isFinite(value)) continue; // not a number: not extracted
        for (const dimensions of resolvedSets) {
          out.push({ namespace: directive.Namespace, name: metric.Name, dimensions, value, unit, timestamp });
        }
      }
    }
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
