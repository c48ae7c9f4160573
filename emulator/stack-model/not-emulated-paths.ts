import type { NotEmulatedPath } from '../../common/not-emulated-paths.ts';
import type { TemplateResource } from './resource-dependencies.ts';
import { SAM_EVENTS_EXPANDED } from './sam-event-sources.ts';
import type { StackTemplate } from './stack-template.ts';

/**
 * Every path into a function of the stack that the emulator does not run, and what of the
 * fan-out services runs otherwise than on AWS: a Kinesis, Kafka (MSK or self-managed), Amazon MQ
 * or DocumentDB event source mapping, one from a queue or stream outside the stack, a schedule
 * (a rule's ScheduleExpression, AWS::Scheduler::Schedule, SAM's Schedule/ScheduleV2), a rule's
 * target of another service (Step Functions, Kinesis, …), an SNS subscription of another protocol
 * than lambda and sqs (email, http/s, sms, …), an EventBridge pipe, a FIFO queue's high-throughput
 * mode (it runs as a plain FIFO queue), SAM's Kinesis/MSK/… events and an integration of an HTTP
 * or REST API the emulator does not serve. SNS subscriptions to functions and queues, SQS and DynamoDB stream mappings, and
 * EventBridge rules with patterns run here and are not listed. Read from the template as written, references followed by name only (`Ref`,
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
  /** the WebSocket API's logical id (absent: the stack has none) */
  apiLogicalId?: string;
  /** the HTTP and REST APIs served here (http-api-reader.ts, rest-api-reader.ts): their routes and methods run */
  servedApis?: ReadonlySet<string>;
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
  'EventBridge pipe': 'the pipe will not run here',
  'Kafka cluster': "the cluster's records will not invoke it here",
  'Amazon MQ broker': "the broker's messages will not invoke it here",
  'DocumentDB change stream': "the stream's records will not invoke it here",
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
  const add = (kind: NotEmulatedPath['kind'], source: string, resource: string, fn: string | undefined, text = textOf(source)) => {
    const f = fn !== undefined && t.resources[fn]?.Type === 'AWS::Lambda::Function' ? fn : undefined;
    if (out.some((p) => p.source === source && p.resource === resource && p.function === f && p.text === text)) return;
    out.push({
      kind,
      source,
      resource,
      ...(f !== undefined ? { function: f, functionName: safeName(t, f), ...(fansOut(o, f) ? { fansOut: true } : {}), ...(o.runs.has(f) ? { runsHere: true } : {}) } : {}),
      text,
    });
  };
  const typeOf = (id: string | undefined) => (id === undefined ? undefined : t.resources[id]?.Type);
  for (const [id, r] of Object.entries(t.resources)) {
    const p = (r.Properties ?? {}) as Record<string, unknown>;
    switch (r.Type) {
      case 'AWS::SNS::Subscription': {
        const protocol = String(p.Protocol).toLowerCase();
        if (!DELIVERED_PROTOCOLS.has(protocol)) add('trigger', 'SNS topic', refId(p.TopicArn) ?? id, undefined, `its ${protocol} subscription ${id} will not be delivered here`);
        break;
      }
      case 'AWS::SNS::Topic':
        asList(p.Subscription).forEach((s, i) => {
          const protocol = String((s as { Protocol?: unknown }).Protocol).toLowerCase();
          if (!DELIVERED_PROTOCOLS.has(protocol)) add('trigger', 'SNS topic', id, undefined, `its ${protocol} subscription ${id}Subscription${i} will not be delivered here`);
        });
        break;
      case 'AWS::SQS::Queue':
        if (p.DeduplicationScope === 'messageGroup' || p.FifoThroughputLimit === 'perMessageGroupId') {
          add('trigger', 'SQS queue', id, undefined, 'it runs as a plain FIFO queue: high-throughput mode (DeduplicationScope, FifoThroughputLimit) is not emulated');
        }
        break;
      case 'AWS::Lambda::EventSourceMapping': {
        const from = refId(p.EventSourceArn);
        const fromType = typeOf(from);
        // from a queue or a table's stream of the stack: it runs
        if (fromType === 'AWS::SQS::Queue' || fromType === 'AWS::DynamoDB::Table') break;
        add('trigger', (fromType && SOURCE_OF_TYPE[fromType]) ?? sourceOfArn(p.EventSourceArn, p), from ?? id, refId(p.FunctionName));
        break;
      }
      case 'AWS::Events::Rule':
        for (const target of asList(p.Targets)) {
          const arn = (target as { Arn?: unknown }).Arn;
          const service = targetService(arn, typeOf(refId(arn)));
          // a target of a service not run here: the rule matches, nothing is delivered
          if (!EMULATED_TARGET_SERVICES.has(service)) add('trigger', 'EventBridge rule', id, undefined, `its ${service} target will not be invoked here`);
          else if (p.ScheduleExpression !== undefined) add('trigger', 'schedule', id, refId(arn));
        }
        break;
      case 'AWS::Pipes::Pipe':
        add('trigger', 'EventBridge pipe', id, refId(p.Target));
        break;
      case 'AWS::Scheduler::Schedule':
        add('trigger', 'schedule', id, refId((p.Target as { Arn?: unknown } | undefined)?.Arn));
        break;
      case 'AWS::ApiGatewayV2::Integration': {
        // the WebSocket API's integrations are read (or refused); another API's are not served
        const api = refId(p.ApiId);
        if (api === undefined || api === o.apiLogicalId || o.servedApis?.has(api)) break;
        add('integration', 'HTTP API', api, refId(p.IntegrationUri));
        break;
      }
      case 'AWS::ApiGateway::Method': {
        // a method of a REST API not served here (one that is served runs)
        const api = refId(p.RestApiId);
        if (api === undefined || o.servedApis?.has(api) || t.resources[api]?.Type !== 'AWS::ApiGateway::RestApi') break;
        add('integration', 'REST API', api, isMap(p.Integration) ? refId(p.Integration.Uri) : undefined);
        break;
      }
      case 'AWS::ApiGateway::RestApi': {
        // the integrations a REST API's OpenAPI Body holds (SAM's Api writes them there)
        if (o.servedApis?.has(id) || !isMap(p.Body) || !isMap(p.Body.paths)) break;
        for (const operations of Object.values(p.Body.paths)) {
          for (const operation of Object.values(isMap(operations) ? operations : {})) {
            const integration = isMap(operation) ? operation['x-amazon-apigateway-integration'] : undefined;
            if (isMap(integration)) add('integration', 'REST API', id, refId(integration.uri));
          }
        }
        break;
      }
      case 'AWS::ApiGatewayV2::Api': {
        // the integrations an HTTP API's OpenAPI Body holds (SAM's HttpApi writes them there)
        if (p.ProtocolType !== 'HTTP' || o.servedApis?.has(id) || !isMap(p.Body) || !isMap(p.Body.paths)) break;
        for (const operations of Object.values(p.Body.paths)) {
          for (const operation of Object.values(isMap(operations) ? operations : {})) {
            const integration = isMap(operation) ? operation['x-amazon-apigateway-integration'] : undefined;
            if (isMap(integration)) add('integration', 'HTTP API', id, refId(integration.uri));
          }
        }
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
      // expanded into the resources SAM makes (sam-event-sources.ts), read above
      if (SAM_EVENTS_EXPANDED.has(type)) continue;
      const samSource: Record<string, [string, unknown]> = {
        Kinesis: ['Kinesis stream', p.Stream],
        MSK: ['Kafka cluster', p.Stream],
        SelfManagedKafka: ['Kafka cluster', undefined],
        MQ: ['Amazon MQ broker', p.Broker],
        DocumentDB: ['DocumentDB change stream', p.Cluster],
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

/** `arn:aws:sqs:…` → `SQS queue`, for an event source named by its ARN (or a self-managed Kafka cluster by its properties). */
function sourceOfArn(v: unknown, p: Record<string, unknown>): string {
  const service = arnText(v)?.split(':')[2];
  if (service === undefined && p.SelfManagedEventSource !== undefined) return 'Kafka cluster';
  const sources: Record<string, string> = { sqs: 'SQS queue', dynamodb: 'DynamoDB stream', kinesis: 'Kinesis stream', kafka: 'Kafka cluster', mq: 'Amazon MQ broker', rds: 'DocumentDB change stream' };
  return (service && sources[service]) ?? 'event source';
}

/** The protocols SNS delivers here (sns/). */
const DELIVERED_PROTOCOLS = new Set(['lambda', 'sqs']);
/** The services a rule's target may be here (events-rule-reader.ts). */
const EMULATED_TARGET_SERVICES = new Set(['lambda', 'sqs', 'sns', 'events']);
const SERVICE_OF_TYPE: Record<string, string> = { 'AWS::Lambda::Function': 'lambda', 'AWS::SQS::Queue': 'sqs', 'AWS::SNS::Topic': 'sns', 'AWS::Events::EventBus': 'events' };

/** A rule target's service: from its ARN as written, or the type of the resource it refers to (a type's service, e.g. `stepfunctions`). */
function targetService(arn: unknown, type: string | undefined): string {
  if (type !== undefined) return SERVICE_OF_TYPE[type] ?? (type.split('::')[1] ?? type).toLowerCase();
  const service = arnText(arn)?.split(':')[2];
  // an ARN made of parts (Fn::Join) cannot be read unresolved: taken as one the emulator runs
  return service && service !== PLACEHOLDER ? service : 'lambda';
}

const PLACEHOLDER = '_';

/** The text of an ARN as written: a string, or Fn::Sub's template with each `${…}` as `_`. */
function arnText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const sub = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)['Fn::Sub'] : undefined;
  const text = Array.isArray(sub) ? sub[0] : sub;
  return typeof text === 'string' ? text.replace(/\$\{[^}]*\}/g, PLACEHOLDER) : undefined;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

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
  const api = o.apiLogicalId === undefined ? undefined : new RegExp(`"(Ref|Fn::GetAtt)":\\s*(\\["|")${o.apiLogicalId}\\b|\\$\\{${o.apiLogicalId}\\b`);
  return texts.some((s) => s.includes('ManageConnections') || api?.test(s) === true);
}
