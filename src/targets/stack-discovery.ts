import { GetApiCommand, GetStageCommand, type ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { CloudFormationClient, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { listStackResources } from '../aws/stack-resources.ts';
import { UserError } from '../../common/errors.ts';
import { awsCallError } from '../aws/aws-call-errors.ts';
import { discoverApi } from './api-discovery.ts';
import type { DeployedStack } from './deployed-stack.ts';

/**
 * A stack without the outputs contract (a SAM or CDK app of your own, made any way), found from
 * its resources: ListStackResources (every page) names its WebSocket API
 * (`AWS::ApiGatewayV2::Api` whose GetApi says WEBSOCKET), that API's stage
 * (`AWS::ApiGatewayV2::Stage` GetStage answers for it) and its tables (`AWS::DynamoDB::Table`);
 * the API's routes and authorizer name its functions (api-discovery.ts).
 */

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
  const from = (r: StackResourceSummary) => `ListStackResources (${r.ResourceType} ${r.LogicalResourceId})`;
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
  return {
    websocketUrl: discovered.websocketUrl,
    callbackUrl: discovered.callbackUrl,
    apiId,
    stage: stage.PhysicalResourceId!,
    region,
    tables: tables.map((t) => t.PhysicalResourceId!),
    functions: discovered.functions,
    stackName: o.stackName,
    discovery: {
      method: 'stack-resources',
      found: [
        { what: 'api', value: apiId, from: from(api) },
        { what: 'stage', value: stage.PhysicalResourceId!, from: from(stage) },
        ...discovered.found.filter((f) => f.what !== 'api' && f.what !== 'stage'),
        ...tables.map((t) => ({ what: 'table', value: t.PhysicalResourceId!, from: from(t) })),
      ],
    },
  };
}
