import type { NotEmulatedPath } from '../../common/not-emulated-paths.ts';
import type { TemplateResource } from './resource-dependencies.ts';
import type { StackTemplate } from './stack-template.ts';

/**
 * Every path into a function of the stack that the emulator does not run: a trigger (an SNS
 * subscription, an SQS, DynamoDB or Kinesis event source mapping, an EventBridge rule, a
 * schedule, a SAM function's event of those kinds or an Api/HttpApi event) and an integration of
 * an HTTP API. Read from the template as written, references followed by name only (`Ref`,
 * `Fn::GetAtt`, `Fn::Sub`'s `${Id.Arn}`): nothing is resolved, so a path is listed even where a
 * value the emulator never needs could not be. Each names the function it would invoke and
 * whether the template says that function posts to @connections (its role grants
 * execute-api:ManageConnections, or it is given the WebSocket API), the harness's test of a
 * loss's first cause.
 */
export interface PathsInput {
  t: StackTemplate;
  /** the template's resources before the SAM transform (its functions' Events), where it had one */
  samResources?: Record<string, TemplateResource>;
  /** logical ids of the functions a route or the authorizer invokes (they run here) */
  runs: ReadonlySet<string>;
  /** the WebSocket API's logical id */
  apiLogicalId: string;
}

const SOURCE_OF_TYPE: Record<string, string> = {
  'AWS::SQS::Queue': 'SQS queue',
  'AWS::DynamoDB::Table': 'DynamoDB stream',
  'AWS::Kinesis::Stream': 'Kinesis stream',
  'AWS::SNS::Topic': 'SNS topic',
  'AWS::MSK::Cluster': 'Kafka cluster',
};

/** What does not happen here, by source. */
const TEXT: Record<string, string> = {
  'SNS topic': "its subscription's deliveries will not run here",
  'SQS queue': 'its event source mapping will not poll the queue here',
  'DynamoDB stream': "the stream's records will not invoke it here",
  'Kinesis stream': "the stream's records will not invoke it here",
  'EventBridge rule': "the rule's events will not invoke it here",
  schedule: 'its schedule will not invoke it here',
  'REST API': 'its requests are not served here',
  'HTTP API': 'its requests are not served here',
};
const textOf = (source: string) => TEXT[source] ?? 'it will not be invoked this way here';

export function notEmulatedPaths(o: PathsInput): NotEmulatedPath[] {
  const { t } = o;
  const out: NotEmulatedPath[] = [];
  const add = (kind: NotEmulatedPath['kind'], source: string, resource: string, fn: string | undefined) => {
    const f = fn !== undefined && t.resources[fn]?.Type === 'AWS::Lambda::Function' ? fn : undefined;
    if (out.some((p) => p.source === source && p.resource === resource && p.function === f)) return;
    out.push({
      kind,
      source,
      resource,
      ...(f !== undefined ? { function: f, functionName: safeName(t, f), ...(fansOut(o, f) ? { fansOut: true } : {}), ...(o.runs.has(f) ? { runsHere: true } : {}) } : {}),
      text: textOf(source),
    });
  };
  for (const [id, r] of Object.entries(t.resources)) {
    const p = (r.Properties ?? {}) as Record<string, unknown>;
    switch (r.Type) {
      case 'AWS::SNS::Subscription':
        if (String(p.Protocol).toLowerCase() === 'lambda') add('trigger', 'SNS topic', refId(p.TopicArn) ?? id, refId(p.Endpoint));
        break;
      case 'AWS::SNS::Topic':
        for (const s of asList(p.Subscription)) {
          const sub = s as { Protocol?: unknown; Endpoint?: unknown };
          if (String(sub.Protocol).toLowerCase() === 'lambda') add('trigger', 'SNS topic', id, refId(sub.Endpoint));
        }
        break;
      case 'AWS::Lambda::EventSourceMapping': {
        const from = refId(p.EventSourceArn);
        add('trigger', (from && SOURCE_OF_TYPE[t.resources[from]?.Type ?? '']) ?? sourceOfArn(p.EventSourceArn), from ?? id, refId(p.FunctionName));
        break;
      }
      case 'AWS::Events::Rule':
        for (const target of asList(p.Targets)) add('trigger', p.ScheduleExpression !== undefined ? 'schedule' : 'EventBridge rule', id, refId((target as { Arn?: unknown }).Arn));
        break;
      case 'AWS::Scheduler::Schedule':
        add('trigger', 'schedule', id, refId((p.Target as { Arn?: unknown } | undefined)?.Arn));
        break;
      case 'AWS::ApiGatewayV2::Integration': {
        // the WebSocket API's integrations are read (or refused); another API's are not served
        const api = refId(p.ApiId);
        if (api === undefined || api === o.apiLogicalId) break;
        add('integration', 'HTTP API', api, refId(p.IntegrationUri));
        break;
      }
    }
  }
  for (const [fn, r] of Object.entries(o.samResources ?? {})) {
    if (r.Type !== 'AWS::Serverless::Function' || t.resources[fn] === undefined) continue;
    const events = ((r.Properties ?? {}) as { Events?: Record<string, { Type?: unknown; Properties?: Record<string, unknown> }> }).Events ?? {};
    for (const [event, spec] of Object.entries(events)) {
      const p = spec?.Properties ?? {};
      const type = String(spec?.Type ?? '');
      const samSource: Record<string, [string, unknown]> = {
        SNS: ['SNS topic', p.Topic],
        SQS: ['SQS queue', p.Queue],
        DynamoDB: ['DynamoDB stream', p.Stream],
        Kinesis: ['Kinesis stream', p.Stream],
        EventBridgeRule: ['EventBridge rule', undefined],
        CloudWatchEvent: ['EventBridge rule', undefined],
        Schedule: ['schedule', undefined],
        ScheduleV2: ['schedule', undefined],
        Api: ['REST API', p.RestApiId],
        HttpApi: ['HTTP API', p.ApiId],
      };
      const known = samSource[type];
      if (!known) {
        add('trigger', `${type || 'event'} event`, `${fn}${event}`, fn);
        continue;
      }
      const [source, from] = known;
      // a stream's ARN names its table (`!GetAtt Table.StreamArn`)
      add('trigger', source, refId(from) ?? `${fn}${event}`, fn);
    }
  }
  return out;
}

/** The logical id a value refers to: `{Ref: X}`, `{Fn::GetAtt: [X, …]}` or `X.Arn`, `{Fn::Sub: '…${X.Arn}…'}`; a plain ARN's last segment; else undefined. */
function refId(v: unknown): string | undefined {
  if (typeof v === 'string') {
    if (v.startsWith('arn:')) return v.split(/[:/]/).pop() || undefined;
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.Ref === 'string') return o.Ref;
  const att = o['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  const sub = o['Fn::Sub'];
  const text = Array.isArray(sub) ? sub[0] : sub;
  if (typeof text === 'string') return /\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}/.exec(text.replace(/\$\{AWS::[A-Za-z]+\}/g, ''))?.[1];
  return undefined;
}

/** `arn:aws:sqs:…` → `SQS queue`, for an event source named by its ARN. */
function sourceOfArn(v: unknown): string {
  const service = typeof v === 'string' ? v.split(':')[2] : undefined;
  return service === 'sqs' ? 'SQS queue' : service === 'dynamodb' ? 'DynamoDB stream' : service === 'kinesis' ? 'Kinesis stream' : service === 'kafka' ? 'Kafka cluster' : 'event source';
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function safeName(t: StackTemplate, id: string): string | undefined {
  try {
    return t.name(id);
  } catch {
    return undefined;
  }
}

/**
 * Whether the template says the function posts to @connections: its resource or its role's (the
 * role it names, the one SAM makes with its Policies) mentions execute-api:ManageConnections, or
 * its properties refer to the WebSocket API (the endpoint it posts to is built from it).
 */
function fansOut(o: PathsInput, fn: string): boolean {
  const resources = o.t.resources;
  const own = resources[fn];
  const role = refId((own?.Properties as { Role?: unknown } | undefined)?.Role);
  const texts = [own, o.samResources?.[fn], role ? resources[role] : undefined, ...Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy').filter((r) => role !== undefined && JSON.stringify(r.Properties ?? {}).includes(`"${role}"`))]
    .filter((r) => r !== undefined)
    .map((r) => JSON.stringify(r));
  const api = new RegExp(`"(Ref|Fn::GetAtt)":\\s*(\\["|")${o.apiLogicalId}\\b|\\$\\{${o.apiLogicalId}\\b`);
  return texts.some((s) => s.includes('ManageConnections') || api.test(s));
}
