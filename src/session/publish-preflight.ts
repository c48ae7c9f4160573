import { CloudFormationClient, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { listStackResources } from '../aws/stack-resources.ts';
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { emulatorSettings, ownSettings, type SdkClientSettings } from '../aws/sdk-settings.ts';
import type { CallerLookup } from '../aws/caller-identity.ts';
import { httpTargetOf, type PublishVia } from '../contracts/publish-phase.ts';
import type { PlannedPhase, Scenario } from '../contracts/scenario-schema.ts';
import type { PublishResource } from '../fleet/publish-channel.ts';
import type { Target } from '../targets/target.ts';
import { UserError } from '../../common/errors.ts';
import { checkPublishPermissions, type PermissionCheck } from './publish-permission.ts';
import type { ApiStage } from '../targets/publish-stage-logging.ts';
import { resolveHttpRoute } from './publish-http-route.ts';
import { publishHeaders } from './publish-headers.ts';

/**
 * Before any load, each publish phase's resource is found in the target, or the run is refused
 * naming it: the stack's own resources as CloudFormation lists them (ListStackResources, the same
 * on AWS and on the emulator: a topic by its ARN, a queue by its URL, a table, function or bus by
 * its name), matched by logical id, physical name or ARN; a bus that is not the stack's (the
 * account's `default`, one another stack made) by EventBridge's DescribeEventBus, and a topic
 * named by an ARN the stack does not make (the account's, which the stack subscribes to) by SNS's
 * GetTopicAttributes; a route of the stack's own HTTP API (`via: http`, `to: POST /notify`) through
 * API Gateway (publish-http-route.ts). The SDK settings
 * each publish is sent with come from the target: the emulator's endpoints (its ready line's
 * awsEndpointUrls), or AWS in the target's region through the user's credential chain.
 *
 * Then whether the caller may publish there (publish-permission.ts): who the publishes'
 * credentials are (STS GetCallerIdentity) and what IAM's SimulatePrincipalPolicy says of that
 * role or user doing the phase's action (publishPermission) on the resource's ARN; denied, the run
 * is refused before load naming the caller, the action, the resource and the phase. A caller that
 * cannot be simulated (root, federated, no iam:SimulatePrincipalPolicy) is a warning, and a refusal
 * is then the first failed call's error, named in the run's errors and said once with the
 * permission it needs.
 */
export interface PublishTargetPlan {
  resource: PublishResource;
  /** absent for http */
  settings?: SdkClientSettings;
  /** what the run calls it: "SNS topic Alerts (arn:aws:sns:…)" */
  label: string;
  /** http to the stack's own route: the stage serving it, and the API Gateway settings that reach it */
  stage?: ApiStage & { settings: { v1: SdkClientSettings; v2: SdkClientSettings } };
}

/** The resource types each via publishes to, and what it is called. */
const KIND: Record<Exclude<PublishVia, 'http'>, { type: string; what: string; service: string; permission: string }> = {
  sns: { type: 'AWS::SNS::Topic', what: 'SNS topic', service: 'SNS', permission: 'sns:Publish' },
  eventbridge: { type: 'AWS::Events::EventBus', what: 'EventBridge bus', service: 'EVENTBRIDGE', permission: 'events:PutEvents' },
  sqs: { type: 'AWS::SQS::Queue', what: 'SQS queue', service: 'SQS', permission: 'sqs:SendMessage' },
  dynamodb: { type: 'AWS::DynamoDB::Table', what: 'DynamoDB table', service: 'DYNAMODB', permission: 'dynamodb:PutItem' },
  lambda: { type: 'AWS::Lambda::Function', what: 'Lambda function', service: 'LAMBDA', permission: 'lambda:InvokeFunction' },
};

/** The IAM action a publish via `via` needs (said with a refused call). */
export function publishPermission(via: PublishVia): string | undefined {
  return via === 'http' ? undefined : KIND[via].permission;
}

export interface PreflightOptions {
  /** a phase whose permission cannot be checked is said here (the run's warnings) */
  warn?: (line: string) => void;
  /** who the credentials are (default: STS GetCallerIdentity) */
  callerOf?: CallerLookup;
}

/** Each publish phase's resource and settings; throws a UserError naming the first that the target lacks, or may not be published to. */
export async function preflightPublishes(scenario: Scenario, target: Target, o: PreflightOptions = {}): Promise<Map<PlannedPhase, PublishTargetPlan>> {
  const out = new Map<PlannedPhase, PublishTargetPlan>();
  const phases = scenario.phases.flatMap((p, i) => (p.kind === 'publish' ? [{ p, i }] : []));
  if (phases.length === 0) return out;
  const apis = stackApis(target);
  let resources: StackResourceSummary[] | undefined;
  const checks: PermissionCheck[] = [];
  for (const { p, i } of phases) {
    const field = `${scenario.source}: phases[${i}].publish.to`;
    const route = p.via === 'http' ? httpTargetOf(p.to) : undefined;
    const own = p.headers && publishHeaders(p.headers, `${scenario.source}: phases[${i}].publish.headers`);
    if (p.via === 'http' && (!route || route.kind === 'url')) {
      out.set(p, { resource: { via: 'http', id: p.to, ...(own ? { headers: own } : {}) }, label: `POST ${p.to}` });
      continue;
    }
    if (!apis) throw new UserError(`${field}: publishing via ${p.via} needs a target whose AWS APIs the harness knows (the local stack, or aws:<stack>); ${target.kind === 'remote' ? `${target.url} is a URL only` : 'this one names none'}`);
    resources ??= await listResources(apis.cloudformation, apis.stackName, field);
    if (p.via === 'http') {
      // a route of the stack's own HTTP API, found through API Gateway as on AWS
      if (!route || route.kind === 'url') throw new Error('unreachable: a URL was taken above');
      const settings = { v2: apis.service('APIGATEWAYV2'), v1: apis.service('API_GATEWAY') };
      const found = await resolveHttpRoute(route, p.apiKey, { resources, settings, field, where: apis.where });
      const headers = { ...own, ...found.headers };
      out.set(p, {
        resource: { via: 'http', id: found.url, method: found.method, ...(Object.keys(headers).length > 0 ? { headers } : {}) },
        label: found.label,
        stage: { ...found.stage, settings },
      });
      continue;
    }
    const kind = KIND[p.via];
    const settings = apis.service(kind.service);
    const check = (resource: PublishResource) => checks.push({ phase: p.name, field: `${scenario.source}: phases[${i}].publish`, resource, action: kind.permission });
    const found = match(p.via, p.to, resources.filter((r) => r.ResourceType === kind.type && r.PhysicalResourceId));
    if (p.via === 'eventbridge') {
      // a bus of the stack's, else any bus the account has (default; one a rule of the stack names)
      const name = found?.PhysicalResourceId ?? busName(p.to);
      await describeBus(settings, name, `${field}: no ${kind.what} "${p.to}" in ${apis.where}`);
      out.set(p, { resource: { via: 'eventbridge', id: name }, settings, label: `${kind.what} ${name}` });
      check({ via: 'eventbridge', id: name });
      continue;
    }
    if (!found && p.via === 'sns' && p.to.startsWith('arn:')) {
      // a topic the account has outside the stack (the template subscribes to it by ARN or parameter)
      await describeTopic(settings, p.to, `${field}: no ${kind.what} "${p.to}" in ${apis.where} or its account`);
      const name = arnName('sns', p.to);
      check({ via: 'sns', id: p.to });
      out.set(p, { resource: { via: 'sns', id: p.to, ...(name.endsWith('.fifo') ? { fifo: true } : {}) }, settings, label: `${kind.what} ${name} (${p.to}, the account's, outside the stack)` });
      continue;
    }
    if (!found) {
      const have = resources.filter((r) => r.ResourceType === kind.type).map((r) => r.LogicalResourceId ?? r.PhysicalResourceId);
      throw new UserError(`${field}: no ${kind.what} "${p.to}" in ${apis.where} (${have.length > 0 ? `its ${kind.what}s: ${have.join(', ')}` : `it has no ${kind.what}`}); name one by its logical id, name or ARN`);
    }
    const id = found.PhysicalResourceId!;
    const name = p.via === 'sqs' || p.via === 'sns' ? id.split(/[/:]/).pop()! : id;
    check({ via: p.via, id });
    out.set(p, {
      resource: { via: p.via, id, ...(name.endsWith('.fifo') ? { fifo: true } : {}) },
      settings,
      label: `${kind.what} ${found.LogicalResourceId ?? name}${id !== found.LogicalResourceId ? ` (${id})` : ''}`,
    });
  }
  // every resource found: may the caller publish to each? (the same credentials the publishes use)
  if (apis && checks.length > 0) await checkPublishPermissions(checks, { sts: apis.service('STS'), iam: apis.service('IAM') }, o.warn ?? (() => {}), o.callerOf);
  return out;
}

/**
 * A local run keeps its load on this host (the house rule): a `via: http` publish of a run against
 * the local stack POSTs to 127.0.0.1 (any 127.x address), ::1 or localhost only, where the user's
 * own backend stands in for theirs. The first phase that does not is one line naming its field.
 */
export function localHttpPublishIssue(scenario: Scenario): string | undefined {
  for (const [i, p] of scenario.phases.entries()) {
    // a route of the stack's own HTTP API is served here
    if (p.kind !== 'publish' || p.via !== 'http' || httpTargetOf(p.to)?.kind !== 'url') continue;
    const host = new URL(p.to).hostname;
    if (host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) continue;
    return `${scenario.source}: phases[${i}].publish.to: a run against the local stack sends load to this host only: POST to http://127.0.0.1:<port>/… or http://localhost:<port>/…, got ${p.to}`;
  }
  return undefined;
}

interface StackApis {
  stackName: string;
  /** "stack X (the local stack)" or "stack X (AWS, us-east-1)" */
  where: string;
  cloudformation: SdkClientSettings;
  /** the settings for a service by its AWS_ENDPOINT_URL_<SERVICE> name */
  service(name: string): SdkClientSettings;
}

/** Where the target's CloudFormation and publishing APIs answer: the emulator's endpoints, or AWS in the target's region and profile. */
function stackApis(target: Target): StackApis | undefined {
  const local = target.local;
  if (local) {
    return {
      stackName: local.stackName,
      where: `stack ${local.stackName} (the local stack)`,
      cloudformation: emulatorSettings(local.cloudformationEndpoint, local.region),
      // the service's own endpoint, else the edge, which answers every one
      service: (name) => (name === 'LAMBDA' && target.lambdaApi ? target.lambdaApi : emulatorSettings(local.awsEndpointUrls[`AWS_ENDPOINT_URL_${name}`] ?? local.edgeEndpoint, local.region)),
    };
  }
  const stackName = target.endpoints.stackName;
  if (!stackName || target.endpoints.services !== 'aws' || !target.lambdaApi) return undefined;
  const { endpoint: _endpoint, ...aws } = target.lambdaApi;
  return { stackName, where: `stack ${stackName} (AWS${target.endpoints.region ? `, ${target.endpoints.region}` : ''})`, cloudformation: aws, service: () => aws };
}

async function listResources(settings: SdkClientSettings, stackName: string, field: string): Promise<StackResourceSummary[]> {
  const client = new CloudFormationClient(ownSettings(settings));
  try {
    return await listStackResources(client, stackName);
  } catch (err) {
    throw new UserError(`${field}: the resources of stack ${stackName} could not be listed to find it (ListStackResources: ${errorText(err)})`);
  } finally {
    client.destroy();
  }
}

/** The resource `to` names: by logical id, physical id, name (a queue's or topic's last segment) or ARN. */
function match(via: PublishVia, to: string, candidates: StackResourceSummary[]): StackResourceSummary | undefined {
  const name = arnName(via, to);
  return (
    candidates.find((r) => r.LogicalResourceId === to) ??
    candidates.find((r) => r.PhysicalResourceId === to) ??
    candidates.find((r) => r.PhysicalResourceId!.split(/[/:]/).pop() === name)
  );
}

/** The resource's name from its ARN (or the name itself): a queue's, topic's or function's last segment, a table's after `table/`. */
function arnName(via: PublishVia, to: string): string {
  if (!to.startsWith('arn:')) return to.split('/').pop()!;
  const rest = to.split(':').slice(5).join(':');
  if (via === 'lambda') return rest.replace(/^function:/, '').split(':')[0]!;
  return rest.split('/').pop()!;
}

function busName(to: string): string {
  return to.startsWith('arn:') ? to.split('/').pop()! : to;
}

async function describeBus(settings: SdkClientSettings, name: string, refusal: string): Promise<void> {
  const client = new EventBridgeClient(ownSettings(settings));
  try {
    await client.send(new DescribeEventBusCommand({ Name: name }));
  } catch (err) {
    throw new UserError(`${refusal} (DescribeEventBus: ${errorText(err)})`);
  } finally {
    client.destroy();
  }
}

async function describeTopic(settings: SdkClientSettings, arn: string, refusal: string): Promise<void> {
  const client = new SNSClient(ownSettings(settings));
  try {
    await client.send(new GetTopicAttributesCommand({ TopicArn: arn }));
  } catch (err) {
    throw new UserError(`${refusal} (GetTopicAttributes: ${errorText(err)})`);
  } finally {
    client.destroy();
  }
}

function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? String(err)).split('\n')[0]}`;
}
