import { ApiGatewayAccount } from './apigatewayv2/account.ts';
import { AccessLog } from './gateway/access-log.ts';
import { startApiGatewayV2Server } from './apigatewayv2/server.ts';
import { localStage, type Throttle } from './apigatewayv2/stage.ts';
import { localStackRecord } from './cloudformation/describe-stacks.ts';
import { startCloudFormationServer } from './cloudformation/server.ts';
import type { ServiceEndpoint } from './local-listener.ts';
import type { StackDescription } from './stack-model/stack-description.ts';
import type { ServedHttpApi } from './apigatewayv2/http-api-resources.ts';
import type { RestApiFacts } from './apigatewayv2/rest-api-resources.ts';

/**
 * What a harness asks of AWS about a stack before it measures it, answered for the local stack:
 * CloudFormation (DescribeStacks: where everything is; DescribeStackResources and
 * ListStackResources: every resource with its physical id) and API Gateway (v2 GetApi, GetRoutes,
 * GetIntegrations, GetAuthorizers: the API and the functions behind it; GetStage: the stage's
 * and routes' throttles and metrics settings, its access logging, which UpdateStage and
 * DeleteAccessLogSettings change; v1 GetAccount: the account's throttle and CloudWatch role). With
 * Lambda's API and CloudWatch beside them, `--target aws:<stackName>` finds the local stack
 * exactly as it finds a deployed one.
 */

export interface ManagementApisOptions {
  stack: StackDescription;
  accountId: string;
  region: string;
  apiId: string;
  stage: string;
  /** the gateway's local endpoints: ws://HOST:PORT/{stage} and http://HOST:PORT/{stage} */
  websocketUrl: string;
  callbackUrl: string;
  /** what the gateway enforces on the stage's client messages and $connect (GetStage's default route throttle) */
  throttle: Throttle;
  /** routes with a throttle of their own (GetStage's route settings) */
  routeThrottles: Readonly<Record<string, Throttle>>;
  /** the account's throttle on messages and @connections calls (GetAccount) */
  accountThrottle: Throttle;
  /** the account's API Gateway CloudWatch role (GetAccount); undefined: none, access logging cannot be enabled */
  cloudWatchRoleArn?: string;
  /** the gateway's access logging (UpdateStage, DeleteAccessLogSettings); absent: one that writes nowhere */
  accessLog?: AccessLog;
  /** whether the emulator's CloudWatch Logs has this log group (an access log's destination must exist); absent: none exists */
  logGroupExists?: (name: string) => boolean;
  /** the stack's HTTP APIs, served beside the WebSocket API */
  httpApis?: readonly ServedHttpApi[];
  /** the stack's REST APIs (their outputs' URLs answer with where each listens), their API keys and usage plans */
  rest?: Omit<RestApiFacts, 'created'>;
}

export interface ManagementApis {
  cloudformation: ServiceEndpoint;
  apigatewayv2: ServiceEndpoint;
  close(): Promise<void>;
}

export async function startManagementApis(o: ManagementApisOptions): Promise<ManagementApis> {
  const outputs = o.stack.outputs.map((out) => ({ OutputKey: out.key, OutputValue: localized(out.value, o) }));
  const record = localStackRecord({ stackName: o.stack.stackName, region: o.region, accountId: o.accountId, outputs });
  const stage = localStage({ apiId: o.apiId, stageName: o.stage, throttle: o.throttle, routeThrottles: o.routeThrottles }, record.creationTime);
  const placement = { apiId: o.apiId, region: o.region, accountId: o.accountId, websocketUrl: o.websocketUrl };
  const [cloudformation, apigatewayv2] = await Promise.allSettled([
    startCloudFormationServer({ record, stack: o.stack, apiId: o.apiId }),
    startApiGatewayV2Server({
      stage,
      account: new ApiGatewayAccount(o.accountThrottle, o.cloudWatchRoleArn),
      accountId: o.accountId,
      region: o.region,
      api: { stack: o.stack, placement, created: record.creationTime },
      accessLog: o.accessLog ?? new AccessLog(undefined, { apiId: o.apiId, stage: o.stage, domainName: new URL(o.websocketUrl).host }),
      logGroupExists: o.logGroupExists ?? (() => false),
      ...(o.httpApis ? { httpApis: o.httpApis } : {}),
      ...(o.rest ? { rest: o.rest } : {}),
    }),
  ]);
  if (cloudformation.status === 'rejected' || apigatewayv2.status === 'rejected') {
    for (const started of [cloudformation, apigatewayv2]) if (started.status === 'fulfilled') await started.value.close();
    throw cloudformation.status === 'rejected' ? cloudformation.reason : (apigatewayv2 as PromiseRejectedResult).reason;
  }
  return {
    cloudformation: cloudformation.value,
    apigatewayv2: apigatewayv2.value,
    close: async () => {
      await Promise.all([cloudformation.value.close(), apigatewayv2.value.close()]);
    },
  };
}

/**
 * An output that holds this API's AWS endpoint (`wss://{apiId}.execute-api.{region}.amazonaws.com/{stage}`
 * to connect, `https://…/{stage}` for @connections), or an HTTP or REST API's (`https://{id}.execute-api.…`),
 * answers with the local one instead: what a harness reads from DescribeStacks must be reachable
 * here. The one place the emulator's answers differ from AWS's, and only in the host.
 */
function localized(value: string, o: Pick<ManagementApisOptions, 'apiId' | 'region' | 'stage' | 'websocketUrl' | 'callbackUrl' | 'httpApis' | 'rest'>): string {
  const host = `${o.apiId}.execute-api.${o.region}.amazonaws.com/${o.stage}`;
  let out = value.replaceAll(`wss://${host}`, o.websocketUrl).replaceAll(`https://${host}`, o.callbackUrl);
  for (const h of o.httpApis ?? []) out = out.replaceAll(`https://${h.api.id}.execute-api.${o.region}.amazonaws.com`, new URL(h.url).origin);
  for (const r of o.rest?.restApis ?? []) out = out.replaceAll(`https://${r.api.id}.execute-api.${o.region}.amazonaws.com`, new URL(r.url).origin);
  return out;
}
