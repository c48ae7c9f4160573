import { accountBody } from './apigatewayv2/account.ts';
import { startApiGatewayV2Server } from './apigatewayv2/server.ts';
import { localStage, type Throttle } from './apigatewayv2/stage.ts';
import { localStackRecord } from './cloudformation/describe-stacks.ts';
import { startCloudFormationServer } from './cloudformation/server.ts';
import { localStackOutputs, type LocalStackFacts } from './cloudformation/stack-outputs.ts';
import type { LocalEndpoint } from './local-listener.ts';
import type { StackSource } from './stack-model/stack-description.ts';
import type { StackOutline } from './stack-model/stack-outline.ts';
import { referenceOutline } from './stack-model/reference-outline.ts';

/**
 * What a harness asks of AWS about a stack before it measures it, answered for the local stack:
 * CloudFormation (DescribeStacks: where everything is; DescribeStackResources and
 * ListStackResources: every resource with its physical id) and API Gateway (v2 GetApi, GetRoutes,
 * GetIntegrations, GetAuthorizers: the API and the functions behind it; GetStage: the stage's
 * and routes' throttles and metrics settings; v1 GetAccount: the account's throttle). With
 * Lambda's API and CloudWatch beside them, `--target aws:<stackName>` finds the local stack
 * exactly as it finds a deployed one.
 */

export interface ManagementApisOptions extends LocalStackFacts {
  stackName: string;
  accountId: string;
  /** what the gateway enforces on the stage's client messages and $connect (GetStage's default route throttle) */
  throttle: Throttle;
  /** routes with a throttle of their own (GetStage's route settings) */
  routeThrottles: Readonly<Record<string, Throttle>>;
  /** the account's throttle on messages and @connections calls (GetAccount) */
  accountThrottle: Throttle;
  /**
   * The stack the emulator runs (a StackDescription is one). Absent: the reference stack, outlined
   * from the facts above. DescribeStacks answers the outputs contract for the reference stack (no
   * description, or one read from the manifest) and a template's own outputs for any other.
   */
  stack?: StackOutline & { source?: StackSource };
}

export interface ManagementApis {
  cloudformation: LocalEndpoint;
  apigatewayv2: LocalEndpoint;
  close(): Promise<void>;
}

export async function startManagementApis(o: ManagementApisOptions): Promise<ManagementApis> {
  const described = o.stack ?? referenceOutline(o);
  const reference = o.stack === undefined || o.stack.source?.kind === 'manifest';
  const outputs = reference ? localStackOutputs(o) : described.outputs.map((x) => ({ OutputKey: x.key, OutputValue: x.value }));
  const record = localStackRecord({ stackName: o.stackName, region: o.region, accountId: o.accountId, outputs });
  const stage = localStage({ apiId: o.apiId, stageName: o.stage, throttle: o.throttle, routeThrottles: o.routeThrottles }, record.creationTime);
  const placement = { apiId: o.apiId, region: o.region, accountId: o.accountId, websocketUrl: o.websocketUrl };
  const [cloudformation, apigatewayv2] = await Promise.allSettled([
    startCloudFormationServer({ record, stack: described, apiId: o.apiId }),
    startApiGatewayV2Server({ stage, account: accountBody(o.accountThrottle), accountId: o.accountId, api: { stack: described, placement, created: record.creationTime } }),
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
