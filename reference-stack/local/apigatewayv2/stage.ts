import { randomBytes } from 'node:crypto';

/**
 * The WebSocket API's one stage as API Gateway v2's GetStage describes it (its REST-JSON field
 * names). The stage's default route settings carry the throttle the emulator applies to the
 * stage's messages: it has no stage throttle of its own, so that is the account throttle
 * (`limits.accountRps`, burst `limits.accountBurst`, gateway/rate-limit.ts), the limit a message
 * meets first here. Detailed metrics are on, as the CDK app deploys the stage: the gateway
 * publishes the per-route set (gateway/api-metrics.ts). No route has settings of its own.
 */

export interface LocalStageFacts {
  apiId: string;
  stageName: string;
  throttle: { rateLimit: number; burstLimit: number };
}

export interface LocalStage {
  apiId: string;
  stageName: string;
  /** GetStage's answer body */
  body: Record<string, unknown>;
}

export function localStage(facts: LocalStageFacts, created = new Date()): LocalStage {
  const deploymentId = randomBytes(3).toString('hex');
  const date = created.toISOString();
  return {
    apiId: facts.apiId,
    stageName: facts.stageName,
    body: {
      stageName: facts.stageName,
      description: 'fanout-bench reference chat stack (local emulator)',
      deploymentId,
      autoDeploy: true,
      apiGatewayManaged: false,
      createdDate: date,
      lastUpdatedDate: date,
      lastDeploymentStatusMessage: `Successfully deployed stage with deployment ID '${deploymentId}'`,
      defaultRouteSettings: {
        dataTraceEnabled: false,
        detailedMetricsEnabled: true,
        loggingLevel: 'OFF',
        throttlingBurstLimit: facts.throttle.burstLimit,
        throttlingRateLimit: facts.throttle.rateLimit,
      },
      routeSettings: {},
      stageVariables: {},
      tags: {},
    },
  };
}
