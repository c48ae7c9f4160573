import { GetApiCommand, GetStageCommand, type ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { CloudFormationClient, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { listStackResources } from '../aws/stack-resources.ts';
import { UserError } from '../../common/errors.ts';
import { PATH_ROUTE } from '../../common/stack-ready.ts';
import { awsCallError } from '../aws/aws-call-errors.ts';
import { discoverApi } from './api-discovery.ts';
import type { DeployedStack } from './deployed-stack.ts';

/**
 * A stack without the outputs contract (a SAM or CDK app of your own, made any way), found from
 * its resources: ListStackResources (every page) names its WebSocket API
 * (`AWS::ApiGatewayV2::Api` whose GetApi says WEBSOCKET), that API's stage
 * (`AWS::ApiGatewayV2::Stage` GetStage answers for it) and its tables (`AWS::DynamoDB::Table`);
 * the API's routes and authorizer name its functions (api-discovery.ts), and every other
 * `AWS::Lambda::Function` of the stack is listed beside them (whatever starts it: a queue, a
 * topic, a rule), under PATH_ROUTE: its logs and metrics are the run's too.
 */

const from = (r: StackResourceSummary) => `ListStackResources (${r.ResourceType} ${r.LogicalResourceId})`;

/**
 * The stack's `AWS::Lambda::Function`s that none of `routed` names (a queue's consumer, a topic's
 * or a rule's target, a server push), listed under PATH_ROUTE with where each was found.
 */
export function functionsOfNoRoute(resources: readonly StackResourceSummary[], routed: DeployedStack['functions']): Pick<DeployedStack, 'functions'> & Pick<DeployedStack['discovery'], 'found'> {
  const names = new Set(routed.map((f) => f.name));
  const others = resources.filter((r) => r.ResourceType === 'AWS::Lambda::Function' && r.PhysicalResourceId && !names.has(r.PhysicalResourceId));
  return {
    functions: others.map((r) => ({ route: PATH_ROUTE, name: r.PhysicalResourceId! })),
    found: others.map((r) => ({ what: 'function of no route', value: r.PhysicalResourceId!, from: from(r) })),
  };
}

export async function discoverStack(
  cloudformation: CloudFormationClient,
  apigw: ApiGatewayV2Client,
  o: { stackName: string; region: string; subject: string },
): Promise<DeployedStack> {
  const { subject, region } = o;
  let resources: StackResourceSummary[];
  try {
    resources = await listStackResources(cloudformation, o.stackName);
  } catch (err) {
    throw awsCallError(err, { subject, action: 'cloudformation:ListStackResources', service: 'CloudFormation', region });
  }
  const ofType = (type: string) => resources.filter((r) => r.ResourceType === type && r.PhysicalResourceId);
  let api: StackResourceSummary | undefined;
  for (const candidate of ofType('AWS::ApiGatewayV2::Api')) {
    try {
      const described = await apigw.send(new GetApiCommand({ ApiId: candidate.PhysicalResourceId }));
      if (described.ProtocolType === 'WEBSOCKET') {
        api = candidate;
        break;
      }
    } catch (err) {
      // an API the stack lists but API Gateway no longer has (deleted by hand): not this one
      if ((err as Error).name === 'NotFoundException') continue;
      throw awsCallError(err, { subject, action: 'apigateway:GET', service: 'API Gateway', region });
    }
  }
  if (!api) throw new UserError(`${subject}: the stack has no WebSocket API (no AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET among its ${resources.length} resources)`);
  const apiId = api.PhysicalResourceId!;
  let stage: StackResourceSummary | undefined;
  for (const candidate of ofType('AWS::ApiGatewayV2::Stage')) {
    const found = await apigw.send(new GetStageCommand({ ApiId: apiId, StageName: candidate.PhysicalResourceId })).then(
      () => true,
      (err: Error) => {
        if (err.name === 'NotFoundException') return false;
        throw awsCallError(err, { subject, action: 'apigateway:GET', service: 'API Gateway', region });
      },
    );
    if (found) {
      stage = candidate;
      break;
    }
  }
  if (!stage) throw new UserError(`${subject}: the stack's WebSocket API ${apiId} has no stage in the stack (no AWS::ApiGatewayV2::Stage of it)`);
  const discovered = await discoverApi(apigw, apiId, stage.PhysicalResourceId!, { subject, region });
  const tables = [...ofType('AWS::DynamoDB::Table'), ...ofType('AWS::DynamoDB::GlobalTable')];
  const others = functionsOfNoRoute(resources, discovered.functions);
  return {
    websocketUrl: discovered.websocketUrl,
    callbackUrl: discovered.callbackUrl,
    apiId,
    stage: stage.PhysicalResourceId!,
    region,
    tables: tables.map((t) => t.PhysicalResourceId!),
    functions: [...discovered.functions, ...others.functions],
    stackName: o.stackName,
    ...(discovered.identitySource ? { authorizerIdentitySource: discovered.identitySource } : {}),
    discovery: {
      method: 'stack-resources',
      found: [
        { what: 'api', value: apiId, from: from(api) },
        { what: 'stage', value: stage.PhysicalResourceId!, from: from(stage) },
        ...discovered.found.filter((f) => f.what !== 'api' && f.what !== 'stage'),
        ...others.found,
        ...tables.map((t) => ({ what: 'table', value: t.PhysicalResourceId!, from: from(t) })),
      ],
    },
  };
}
