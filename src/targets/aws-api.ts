import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { awsCallError } from '../aws/aws-call-errors.ts';
import { createLambdaClient } from '../aws/lambda-client.ts';
import { awsSettings } from '../aws/sdk-settings.ts';
import type { ConnectToken } from '../fleet/protocols/connect-token.ts';
import { discoverApi } from './api-discovery.ts';
import { deployedTarget } from './aws-stack.ts';
import type { ProbeHandshake } from './remote.ts';
import type { DeployedStack } from './deployed-stack.ts';
import { discoverTables } from './table-discovery.ts';
import type { Target } from './target.ts';

/**
 * `--target aws-api:<apiId>/<stage>`: a WebSocket API made by hand (in the console, by a script),
 * which no CloudFormation stack describes. API Gateway v2 names its URL and the functions behind
 * its routes and authorizer (api-discovery.ts); its tables are the ones `--table` names, else the
 * ones its functions' environment names (table-discovery.ts). Region and credentials from the
 * SDK's chain, or `--region` / `--profile`. From there it is what an aws:<stack> target is.
 */
export interface AwsApiTargetOptions {
  apiId: string;
  stage: string;
  region?: string;
  profile?: string;
  /** `--table`, repeatable */
  tables?: readonly string[];
  probeTimeoutMs?: number;
  token?: ConnectToken;
  probeHandshake?: ProbeHandshake;
}

export async function openAwsApiTarget(o: AwsApiTargetOptions): Promise<Target> {
  const stack = await findApi(o);
  const owned: Array<{ destroy(): void }> = [];
  const lambdaApi = awsSettings({ region: stack.region, profile: o.profile });
  const lambda = createLambdaClient(lambdaApi);
  owned.push(lambda);
  try {
    return await deployedTarget(stack, { label: subjectOf(o), lambda, lambdaApi, profile: o.profile, probeTimeoutMs: o.probeTimeoutMs, token: o.token, probeHandshake: o.probeHandshake, owned });
  } catch (err) {
    lambda.destroy();
    throw err;
  }
}

const subjectOf = (o: { apiId: string; stage: string }) => `aws-api:${o.apiId}/${o.stage}`;

/** The API, its stage, functions and tables, as a deployed stack (quotas read the same). */
export async function findApi(o: AwsApiTargetOptions, clients: { lambda?: LambdaClient } = {}): Promise<DeployedStack> {
  const subject = subjectOf(o);
  const settings = awsSettings(o);
  const apigw = new ApiGatewayV2Client(settings);
  const dynamodb = new DynamoDBClient(settings);
  const lambda = clients.lambda ?? createLambdaClient(settings);
  try {
    const region = await apigw.config.region().catch((err: unknown) => {
      throw awsCallError(err, { subject, action: 'a region', service: 'API Gateway' });
    });
    const api = await discoverApi(apigw, o.apiId, o.stage, { subject, region });
    const tables = await discoverTables({ dynamodb, lambda, functions: api.functions.map((f) => f.name), named: o.tables, subject, region });
    return {
      websocketUrl: api.websocketUrl,
      callbackUrl: api.callbackUrl,
      apiId: o.apiId,
      stage: o.stage,
      region,
      tables: tables.tables,
      functions: api.functions,
      discovery: { method: 'api', found: [...api.found, ...tables.found] },
    };
  } finally {
    apigw.destroy();
    dynamodb.destroy();
    if (!clients.lambda) lambda.destroy();
  }
}
