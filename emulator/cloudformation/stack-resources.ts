import { createHash } from 'node:crypto';
import { apiResourceId, type StackOutline } from '../stack-model/stack-outline.ts';
import type { LocalStackRecord } from './describe-stacks.ts';
import { QueryApiError, type QueryValue } from '../query-api.ts';
import { mappingUuid } from '../event-sources/mapping-uuid.ts';

/**
 * CloudFormation's DescribeStackResources and ListStackResources for the stack the emulator runs:
 * every resource of the stack, emulated or not, with the physical id AWS would have given it
 * (the API's id, the stage's name, functions', tables' and parameters' names; API Gateway's
 * 7-character ids for routes, integrations and the authorizer; `<stack>-<logicalId>-<suffix>` for
 * the rest, as CloudFormation names what the template leaves unnamed), all CREATE_COMPLETE since
 * the stack was created.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html
 */

export interface StackResource {
  logicalId: string;
  physicalId: string;
  type: string;
}

/** ListStackResources' page: AWS answers up to 100 summaries per call. */
const PAGE = 100;

/** Every resource of the stack, in template order: the API first, then what hangs off it. */
export function stackResources(stack: StackOutline, apiId: string): StackResource[] {
  const out: StackResource[] = stack.api
    ? [
        { logicalId: stack.api.logicalId, physicalId: apiId, type: 'AWS::ApiGatewayV2::Api' },
        { logicalId: stack.api.stage.logicalId ?? `${stack.api.logicalId}Stage`, physicalId: stack.api.stage.name, type: 'AWS::ApiGatewayV2::Stage' },
      ]
    : [];
  const integrations = new Set<string>();
  for (const r of stack.routes) {
    out.push({ logicalId: r.logicalId, physicalId: apiResourceId(apiId, r.logicalId), type: 'AWS::ApiGatewayV2::Route' });
    if (!integrations.has(r.integrationId)) {
      integrations.add(r.integrationId);
      out.push({ logicalId: r.integrationId, physicalId: apiResourceId(apiId, r.integrationId), type: 'AWS::ApiGatewayV2::Integration' });
    }
  }
  if (stack.authorizer) out.push({ logicalId: stack.authorizer.logicalId, physicalId: apiResourceId(apiId, stack.authorizer.logicalId), type: 'AWS::ApiGatewayV2::Authorizer' });
  for (const h of stack.httpApis ?? []) {
    out.push({ logicalId: h.logicalId, physicalId: h.id, type: 'AWS::ApiGatewayV2::Api' });
    if (h.stage.logicalId !== undefined) out.push({ logicalId: h.stage.logicalId, physicalId: h.stage.name, type: 'AWS::ApiGatewayV2::Stage' });
    for (const a of h.authorizers ?? []) if (a.logicalId !== undefined) out.push({ logicalId: a.logicalId, physicalId: a.id, type: 'AWS::ApiGatewayV2::Authorizer' });
    // Route and Integration resources (an OpenAPI body's routes are the API's, not resources of the stack)
    const listed = new Set<string>();
    for (const r of h.routes) {
      if (r.logicalId === undefined) continue;
      out.push({ logicalId: r.logicalId, physicalId: apiResourceId(h.id, r.logicalId), type: 'AWS::ApiGatewayV2::Route' });
      if (!listed.has(r.integrationId)) {
        listed.add(r.integrationId);
        out.push({ logicalId: r.integrationId, physicalId: apiResourceId(h.id, r.integrationId), type: 'AWS::ApiGatewayV2::Integration' });
      }
    }
  }
  for (const r of stack.restApis ?? []) {
    out.push({ logicalId: r.logicalId, physicalId: r.id, type: 'AWS::ApiGateway::RestApi' });
    for (const res of r.resources) if (res.logicalId !== undefined) out.push({ logicalId: res.logicalId, physicalId: res.id, type: 'AWS::ApiGateway::Resource' });
    for (const s of r.stages) if (s.logicalId !== undefined) out.push({ logicalId: s.logicalId, physicalId: s.name, type: 'AWS::ApiGateway::Stage' });
  }
  for (const k of stack.apiKeys ?? []) out.push({ logicalId: k.logicalId, physicalId: k.id, type: 'AWS::ApiGateway::ApiKey' });
  for (const p of stack.usagePlans ?? []) out.push({ logicalId: p.logicalId, physicalId: p.id, type: 'AWS::ApiGateway::UsagePlan' });
  for (const f of stack.functions) out.push({ logicalId: f.logicalId, physicalId: f.name, type: 'AWS::Lambda::Function' });
  for (const t of stack.tables) out.push({ logicalId: t.logicalId, physicalId: t.definition.TableName, type: 'AWS::DynamoDB::Table' });
  for (const p of stack.parameters) out.push({ logicalId: p.logicalId, physicalId: p.name, type: 'AWS::SSM::Parameter' });
  // a secret by its ARN (the account's own secrets, from the config, are not the stack's)
  for (const s of stack.secrets ?? []) if (s.logicalId !== undefined) out.push({ logicalId: s.logicalId, physicalId: s.arn, type: 'AWS::SecretsManager::Secret' });
  // as CloudFormation names them: a queue by its URL, a topic by its ARN, a bus by its name, a rule by its name (`bus|name` on a bus of its own), a mapping by its UUID
  for (const q of stack.queues ?? []) out.push({ logicalId: q.logicalId, physicalId: queueUrlOf(q.arn, q.name), type: 'AWS::SQS::Queue' });
  for (const t of (stack.topics ?? []).filter((tp) => !tp.outsideStack)) out.push({ logicalId: t.logicalId, physicalId: t.arn, type: 'AWS::SNS::Topic' });
  for (const b of stack.eventBuses ?? []) out.push({ logicalId: b.logicalId, physicalId: b.name, type: 'AWS::Events::EventBus' });
  for (const r of stack.rules ?? []) out.push({ logicalId: r.logicalId, physicalId: r.busName === 'default' ? r.name : `${r.busName}|${r.name}`, type: 'AWS::Events::Rule' });
  for (const m of stack.eventSourceMappings ?? []) out.push({ logicalId: m.logicalId, physicalId: mappingUuid(m), type: 'AWS::Lambda::EventSourceMapping' });
  for (const g of stack.logGroups ?? []) out.push({ logicalId: g.logicalId, physicalId: g.name, type: 'AWS::Logs::LogGroup' });
  for (const n of [...(stack.inert ?? []), ...stack.notEmulated]) out.push({ logicalId: n.logicalId, physicalId: n.physicalId ?? unnamedPhysicalId(stack.stackName, apiId, n.logicalId, n.type), type: n.type });
  return out;
}

/** A queue's URL as SQS gives it (https://sqs.<region>.amazonaws.com/<account>/<name>), from its ARN. */
function queueUrlOf(arn: string, name: string): string {
  const [, , , region, account] = arn.split(':');
  return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
}

/**
 * What CloudFormation calls a resource the template does not name: `<stack>-<logicalId>-<12
 * letters and digits>` (truncated to fit), and API Gateway's own ids for its sub-resources.
 */
function unnamedPhysicalId(stackName: string, apiId: string, logicalId: string, type: string): string {
  if (type.startsWith('AWS::ApiGatewayV2::')) return apiResourceId(apiId, logicalId);
  const suffix = createHash('sha256').update(`${stackName}/${logicalId}`).digest('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 12).toUpperCase();
  return `${stackName.slice(0, 30)}-${logicalId.slice(0, 30)}-${suffix}`;
}

/** Asked by StackName (name or id) or by PhysicalResourceId; a missing stack is CloudFormation's ValidationError. */
function checkedStack(record: LocalStackRecord, resources: StackResource[], params: URLSearchParams): void {
  const asked = params.get('StackName');
  const physical = params.get('PhysicalResourceId');
  if (asked === null && physical === null) throw new QueryApiError('ValidationError', 'Either StackName or PhysicalResourceId must be specified');
  if (asked !== null && asked !== record.stackName && asked !== record.stackId) throw new QueryApiError('ValidationError', `Stack with id ${asked} does not exist`);
  if (asked === null && !resources.some((r) => r.physicalId === physical)) {
    throw new QueryApiError('ValidationError', `Stack for ${physical} does not exist`);
  }
}

export function describeStackResources(record: LocalStackRecord, stack: StackOutline, apiId: string, params: URLSearchParams): Record<string, QueryValue> {
  const resources = stackResources(stack, apiId);
  checkedStack(record, resources, params);
  const logical = params.get('LogicalResourceId');
  const picked = logical === null ? resources : resources.filter((r) => r.logicalId === logical);
  return {
    StackResources: picked.map((r) => ({
      StackName: record.stackName,
      StackId: record.stackId,
      LogicalResourceId: r.logicalId,
      PhysicalResourceId: r.physicalId,
      ResourceType: r.type,
      Timestamp: record.creationTime,
      ResourceStatus: 'CREATE_COMPLETE',
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    })),
  };
}

export function listStackResources(record: LocalStackRecord, stack: StackOutline, apiId: string, params: URLSearchParams): Record<string, QueryValue> {
  const asked = params.get('StackName');
  if (asked === null) throw new QueryApiError('ValidationError', "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null");
  const resources = stackResources(stack, apiId);
  checkedStack(record, resources, params);
  const token = params.get('NextToken');
  const start = token === null ? 0 : Number.parseInt(token, 10);
  if (!Number.isSafeInteger(start) || start < 0 || start > resources.length || (token !== null && String(start) !== token)) {
    throw new QueryApiError('ValidationError', 'Invalid NextToken');
  }
  const page = resources.slice(start, start + PAGE);
  return {
    StackResourceSummaries: page.map((r) => ({
      LogicalResourceId: r.logicalId,
      PhysicalResourceId: r.physicalId,
      ResourceType: r.type,
      LastUpdatedTimestamp: record.creationTime,
      ResourceStatus: 'CREATE_COMPLETE',
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    })),
    NextToken: start + PAGE < resources.length ? String(start + PAGE) : undefined,
  };
}
