import { z } from 'zod';
import { startAwsJsonServer } from '../aws-json-server.ts';
import { AwsApiError, parseRequest } from '../cloudwatch/aws-json.ts';
import type { DeliveringService, DeliveringServiceOptions } from '../delivering-service.ts';
import type { TargetMessage } from '../service-targets.ts';
import type { RuleDescription, RuleTarget } from '../stack-model/stack-description.ts';
import { EventBuses, type EventBus, type Rule } from './event-buses.ts';
import { chunks64k, entrySize, envelopeOf, type EventEnvelope } from './event-envelope.ts';
import { eventPatternProblem } from './event-pattern.ts';
import { RuleDelivery, type RuleDeliveryCounts } from './rule-delivery.ts';
import { stampReach } from '../probe-reach.ts';
import { reachHop } from '../../common/probe-reach-metric.ts';

export interface EventBridgeServerOptions extends DeliveringServiceOptions {
  /** the stack's buses (AWS::Events::EventBus); `default` always exists */
  buses: ReadonlyArray<{ name: string; arn: string }>;
  /** the stack's rules (ENABLED ones with a pattern run; scheduled rules are kept, not run) */
  rules?: readonly RuleDescription[];
  /** PutEvents' limit on the entries' total size (default 1 MB, AWS's since January 2026) */
  maxRequestBytes?: number;
}

/** What EventBridge bills and did: events put (each 64 KB chunk one), and the rules' deliveries. */
export interface EventBridgeBilling extends RuleDeliveryCounts {
  /** billed custom events: each entry's 64 KB chunks */
  events: number;
  putEventsCalls: number;
}

export interface EventBridgeServer extends DeliveringService<EventBridgeBilling> {
  /**
   * ServiceTargets' side of a bus (a rule's bus target, a destination): `message.body` is an
   * event's JSON envelope, routed on the bus `arn` names. Rejects with an AwsApiError.
   */
  deliverToBus(arn: string, message: TargetMessage): Promise<void>;
  buses: EventBuses;
}

/** AWS raised PutEvents' entries from 256 KB to 1 MB in January 2026 (taken as 1,048,576 bytes) */
const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
const MAX_TARGETS_PER_RULE = 5;

/**
 * The emulator's EventBridge endpoint: AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Op>`, what the SDK's
 * EventBridgeClient speaks. PutEvents (at most 10 entries, the entries' total size bounded,
 * per-entry errors with FailedEntryCount), the rule and target APIs, and the bus APIs. With an IAM
 * gate a function's call is asked of its role (`events:PutEvents` on each bus ARN, the rule APIs on
 * the rule ARN); a denial is AccessDeniedException (400).
 */
export async function startEventBridgeServer(options: EventBridgeServerOptions): Promise<EventBridgeServer> {
  const { region, accountId, metrics } = options;
  const now = options.now ?? Date.now;
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const buses = new EventBuses(region, accountId, options.buses, options.rules ?? []);
  const delivery = new RuleDelivery(options.targets, metrics, now);
  const billed = { events: 0, putEventsCalls: 0 };
  const put = (name: string, value: number, unit: string) => metrics.put({ namespace: 'AWS/Events', name, dimensions: {}, value, unit, timestamp: now() });

  const busOrThrow = (name: string | undefined): EventBus => {
    const bus = buses.get(name);
    if (!bus) throw new AwsApiError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  };
  const ruleOrThrow = (bus: EventBus, name: string): Rule => {
    const rule = bus.rules.get(name);
    if (!rule) throw new AwsApiError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  };
  const busArnOf = (name: string | undefined) => buses.get(name)?.arn ?? (name?.startsWith('arn:') ? name : `arn:aws:events:${region}:${accountId}:event-bus/${name || 'default'}`);
  const ruleArnOf = (body: unknown, key: 'Name' | 'Rule') => {
    const b = body as Record<string, unknown> | null;
    const busName = typeof b?.EventBusName === 'string' ? b.EventBusName : undefined;
    const name = typeof b?.[key] === 'string' ? (b[key] as string) : '';
    const bus = buses.get(busName) ?? { name: busName ?? 'default', arn: '', rules: new Map() };
    return buses.ruleArn(bus, name);
  };

  const operations: Record<string, (body: unknown) => unknown> = {
    PutEvents(body) {
      const req = parse(PutEventsRequest, body);
      if (req.Entries.length === 0 || req.Entries.length > 10) {
        throw new AwsApiError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1`);
      }
      const size = req.Entries.reduce((sum, e) => sum + entrySize(e), 0);
      if (size > maxRequestBytes) throw new AwsApiError('ValidationException', 'Total size of the entries in the request is over the limit.');
      billed.putEventsCalls++;
      put('PutEventsRequestSize', size, 'Bytes');
      put('PutEventsEntriesCount', req.Entries.length, 'Count');
      const entries = req.Entries.map((entry) => {
        const refusal = entryRefusal(entry);
        if (refusal) return refusal;
        const bus = buses.get(entry.EventBusName);
        if (!bus) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${entry.EventBusName} does not exist.` };
        const event = envelopeOf(entry as typeof entry & { Source: string; DetailType: string; Detail: string }, accountId, region, now());
        billed.events += chunks64k(entrySize(entry));
        if (entry.Detail !== undefined) stampReach(metrics, reachHop.events(bus.name), entry.Detail);
        delivery.route(bus, event);
        return { EventId: event.id };
      });
      const failed = entries.filter((e) => 'ErrorCode' in e).length;
      put('PutEventsFailedEntriesCount', failed, 'Count');
      return { FailedEntryCount: failed, Entries: entries };
    },
    PutRule(body) {
      const req = parse(PutRuleRequest, body);
      const bus = busOrThrow(req.EventBusName);
      if (req.EventPattern === undefined && req.ScheduleExpression === undefined) {
        throw new AwsApiError('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
      }
      const pattern = req.EventPattern === undefined ? undefined : parsePattern(req.EventPattern);
      const existing = bus.rules.get(req.Name);
      const rule: Rule = {
        name: req.Name,
        arn: existing?.arn ?? buses.ruleArn(bus, req.Name),
        busName: bus.name,
        ...(pattern ? { eventPattern: pattern, eventPatternText: req.EventPattern } : {}),
        ...(req.ScheduleExpression ? { scheduleExpression: req.ScheduleExpression } : {}),
        state: req.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        ...(req.Description !== undefined ? { description: req.Description } : {}),
        targets: existing?.targets ?? [],
      };
      bus.rules.set(req.Name, rule);
      return { RuleArn: rule.arn };
    },
    DescribeRule(body) {
      const req = parse(RuleNameRequest, body);
      return describeRule(ruleOrThrow(busOrThrow(req.EventBusName), req.Name));
    },
    ListRules(body) {
      const req = parse(ListRulesRequest, body);
      const bus = busOrThrow(req.EventBusName);
      const rules = [...bus.rules.values()].filter((r) => !req.NamePrefix || r.name.startsWith(req.NamePrefix));
      return page(rules.map(describeRule), 'Rules', req.NextToken, req.Limit ?? 100);
    },
    DeleteRule(body) {
      const req = parse(RuleNameRequest.extend({ Force: z.boolean().optional() }), body);
      const bus = busOrThrow(req.EventBusName);
      const rule = bus.rules.get(req.Name);
      if (rule && rule.targets.length > 0) throw new AwsApiError('ValidationException', "Rule can't be deleted since it has targets.");
      bus.rules.delete(req.Name);
      return {};
    },
    PutTargets(body) {
      const req = parse(PutTargetsRequest, body);
      const rule = ruleOrThrow(busOrThrow(req.EventBusName), req.Rule);
      const ids = new Set([...rule.targets.map((t) => t.id), ...req.Targets.map((t) => t.Id)]);
      if (ids.size > MAX_TARGETS_PER_RULE) throw new AwsApiError('LimitExceededException', `The requested resource exceeds the maximum number allowed: a rule has at most ${MAX_TARGETS_PER_RULE} targets.`);
      const failed: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> = [];
      for (const t of req.Targets) {
        if (t.Input !== undefined && !isJson(t.Input)) {
          failed.push({ TargetId: t.Id, ErrorCode: 'ValidationException', ErrorMessage: 'Input is not valid JSON text.' });
          continue;
        }
        const target = ruleTarget(t);
        const at = rule.targets.findIndex((x) => x.id === t.Id);
        if (at >= 0) rule.targets[at] = target;
        else rule.targets.push(target);
      }
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    ListTargetsByRule(body) {
      const req = parse(RuleRequest.extend({ NextToken: z.string().optional(), Limit: z.number().int().min(1).max(100).optional() }), body);
      const rule = ruleOrThrow(busOrThrow(req.EventBusName), req.Rule);
      return page(rule.targets.map(describeTarget), 'Targets', req.NextToken, req.Limit ?? 100);
    },
    RemoveTargets(body) {
      const req = parse(RuleRequest.extend({ Ids: z.array(z.string()).min(1).max(100), Force: z.boolean().optional() }), body);
      const rule = ruleOrThrow(busOrThrow(req.EventBusName), req.Rule);
      rule.targets = rule.targets.filter((t) => !req.Ids.includes(t.id));
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    CreateEventBus(body) {
      const req = parse(z.object({ Name: z.string().regex(/^[/.\-_A-Za-z0-9]{1,256}$/) }), body);
      if (buses.get(req.Name)) throw new AwsApiError('ResourceAlreadyExistsException', `Event bus ${req.Name} already exists.`);
      return { EventBusArn: buses.add(req.Name).arn };
    },
    DescribeEventBus(body) {
      const req = parse(z.object({ Name: z.string().optional() }), body);
      const bus = busOrThrow(req.Name);
      return { Name: bus.name, Arn: bus.arn };
    },
    ListEventBuses(body) {
      const req = parse(z.object({ NamePrefix: z.string().optional(), NextToken: z.string().optional(), Limit: z.number().int().optional() }), body);
      const all = buses.all().filter((b) => !req.NamePrefix || b.name.startsWith(req.NamePrefix));
      return page(all.map((b) => ({ Name: b.name, Arn: b.arn })), 'EventBuses', req.NextToken, req.Limit ?? 100);
    },
  };

  const access = (operation: string, body: unknown): Array<{ action: string; resource: string }> => {
    const action = `events:${operation}`;
    switch (operation) {
      case 'PutEvents': {
        const entries = (body as { Entries?: Array<{ EventBusName?: unknown }> } | null)?.Entries;
        const arns = new Set((Array.isArray(entries) ? entries : []).map((e) => busArnOf(typeof e?.EventBusName === 'string' ? e.EventBusName : undefined)));
        return [...arns].map((resource) => ({ action, resource }));
      }
      case 'PutRule':
      case 'DescribeRule':
      case 'DeleteRule':
        return [{ action, resource: ruleArnOf(body, 'Name') }];
      case 'PutTargets':
      case 'RemoveTargets':
      case 'ListTargetsByRule':
        return [{ action, resource: ruleArnOf(body, 'Rule') }];
      case 'CreateEventBus':
      case 'DescribeEventBus': {
        const name = (body as { Name?: unknown } | null)?.Name;
        return [{ action, resource: busArnOf(typeof name === 'string' ? name : undefined) }];
      }
      default:
        return [{ action, resource: '*' }];
    }
  };

  const endpoint = await startAwsJsonServer(
    { AWSEvents: { contentType: 'application/x-amz-json-1.1', queryCompatible: false, operations, access: { of: access, status: 400 } } },
    options.host ?? '127.0.0.1',
    options.port ?? 0,
    options.iam,
  );

  return {
    ...endpoint,
    buses,
    has: (arn) => buses.hasBusArn(arn),
    idle: () => delivery.idle(),
    billing: () => ({ ...billed, ...delivery.counts }),
    async deliverToBus(arn, message) {
      const bus = buses.get(arn);
      if (!bus) throw new AwsApiError('ResourceNotFoundException', `Event bus ${arn} does not exist.`);
      const event = envelopeIn(message.body);
      if (!event) throw new AwsApiError('ValidationException', `A bus takes an event's JSON envelope (version, id, detail-type, source, detail): ${message.body.slice(0, 80)}`);
      billed.events += chunks64k(Buffer.byteLength(message.body));
      delivery.route(bus, event);
    },
  };
}

/** PutEvents' per-entry refusals, in EventBridge's codes and words. */
function entryRefusal(entry: z.infer<typeof PutEventsEntry>): { ErrorCode: string; ErrorMessage: string } | undefined {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (entry[field] === undefined || entry[field] === '') {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` };
    }
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail!);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return undefined;
}

function parsePattern(text: string): Record<string, unknown> {
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch (err) {
    throw new AwsApiError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${(err as Error).message}`);
  }
  const problem = eventPatternProblem(pattern);
  if (problem) throw new AwsApiError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${problem}`);
  return pattern as Record<string, unknown>;
}

function describeRule(rule: Rule) {
  return {
    Name: rule.name,
    Arn: rule.arn,
    EventPattern: rule.eventPatternText,
    ScheduleExpression: rule.scheduleExpression,
    State: rule.state,
    Description: rule.description,
    EventBusName: rule.busName,
  };
}

function describeTarget(t: RuleTarget) {
  return {
    Id: t.id,
    Arn: t.arn,
    Input: t.input,
    InputPath: t.inputPath,
    InputTransformer: t.inputTransformer ? { InputPathsMap: t.inputTransformer.inputPathsMap, InputTemplate: t.inputTransformer.inputTemplate } : undefined,
    SqsParameters: t.messageGroupId !== undefined ? { MessageGroupId: t.messageGroupId } : undefined,
    DeadLetterConfig: t.deadLetterArn ? { Arn: t.deadLetterArn } : undefined,
    RetryPolicy: t.retryPolicy ? { MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts, MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeSeconds } : undefined,
  };
}

function ruleTarget(t: z.infer<typeof TargetShape>): RuleTarget {
  return {
    id: t.Id,
    arn: t.Arn,
    ...(t.Input !== undefined ? { input: t.Input } : {}),
    ...(t.InputPath !== undefined ? { inputPath: t.InputPath } : {}),
    ...(t.InputTransformer ? { inputTransformer: { inputTemplate: t.InputTransformer.InputTemplate, ...(t.InputTransformer.InputPathsMap ? { inputPathsMap: t.InputTransformer.InputPathsMap } : {}) } } : {}),
    ...(t.SqsParameters?.MessageGroupId !== undefined ? { messageGroupId: t.SqsParameters.MessageGroupId } : {}),
    ...(t.DeadLetterConfig?.Arn ? { deadLetterArn: t.DeadLetterConfig.Arn } : {}),
    ...(t.RetryPolicy
      ? {
          retryPolicy: {
            ...(t.RetryPolicy.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: t.RetryPolicy.MaximumRetryAttempts } : {}),
            ...(t.RetryPolicy.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeSeconds: t.RetryPolicy.MaximumEventAgeInSeconds } : {}),
          },
        }
      : {}),
  };
}

/** A list answered a page at a time: NextToken is the index of the next item. */
function page<T>(items: T[], key: string, token: string | undefined, limit: number): Record<string, unknown> {
  const start = token === undefined ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0) throw new AwsApiError('ValidationException', 'The NextToken is not valid.');
  const slice = items.slice(start, start + limit);
  return { [key]: slice, NextToken: start + limit < items.length ? String(start + limit) : undefined };
}

function envelopeIn(body: string): EventEnvelope | undefined {
  try {
    const e = JSON.parse(body) as Partial<EventEnvelope>;
    if (typeof e === 'object' && e !== null && typeof e.source === 'string' && typeof e['detail-type'] === 'string' && typeof e.id === 'string') return e as EventEnvelope;
  } catch {
    return undefined;
  }
  return undefined;
}

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const parse = <T>(schema: z.ZodType<T>, body: unknown): T => parseRequest(schema, body, (_field, _missing, message) => new AwsApiError('ValidationException', message));

const PutEventsEntry = z.object({
  Source: z.string().optional(),
  DetailType: z.string().optional(),
  Detail: z.string().optional(),
  EventBusName: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  Time: z.union([z.number(), z.string()]).optional(),
  TraceHeader: z.string().optional(),
});
const PutEventsRequest = z.object({ Entries: z.array(PutEventsEntry), EndpointId: z.string().optional() });
const RuleName = z.string().regex(/^[.\-_A-Za-z0-9]{1,64}$/, 'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+');
const PutRuleRequest = z.object({
  Name: RuleName,
  EventPattern: z.string().optional(),
  ScheduleExpression: z.string().optional(),
  State: z.enum(['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']).optional(),
  Description: z.string().max(512).optional(),
  RoleArn: z.string().optional(),
  EventBusName: z.string().optional(),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).optional(),
});
const RuleNameRequest = z.object({ Name: RuleName, EventBusName: z.string().optional() });
const ListRulesRequest = z.object({ NamePrefix: z.string().optional(), EventBusName: z.string().optional(), NextToken: z.string().optional(), Limit: z.number().int().min(1).max(100).optional() });
const RuleRequest = z.object({ Rule: RuleName, EventBusName: z.string().optional() });
const TargetShape = z.object({
  Id: z.string().regex(/^[.\-_A-Za-z0-9]{1,64}$/),
  Arn: z.string().min(1),
  Input: z.string().optional(),
  InputPath: z.string().optional(),
  InputTransformer: z.object({ InputPathsMap: z.record(z.string(), z.string()).optional(), InputTemplate: z.string() }).optional(),
  SqsParameters: z.object({ MessageGroupId: z.string().optional() }).optional(),
  DeadLetterConfig: z.object({ Arn: z.string().optional() }).optional(),
  RetryPolicy: z.object({ MaximumRetryAttempts: z.number().int().optional(), MaximumEventAgeInSeconds: z.number().int().optional() }).optional(),
  RoleArn: z.string().optional(),
});
const PutTargetsRequest = RuleRequest.extend({ Targets: z.array(TargetShape).min(1).max(10) });
