import { randomBytes } from 'node:crypto';

/**
 * The WebSocket API's one stage as API Gateway v2's GetStage describes it (its REST-JSON field
 * names), with the throttles the gateway applies to it (gateway/rate-limit.ts): its default route
 * settings hold the stage's throttle (`limits.stageRps`, burst `limits.stageBurst`), its route
 * settings the routes that have one of their own (`limits.routeThrottles`). The account's
 * throttle is not the stage's: GetAccount answers it (account.ts). Detailed metrics are on, as
 * the CDK app deploys the stage: the gateway publishes the per-route set (gateway/api-metrics.ts).
 * Its access log settings are the gateway's (gateway/access-log.ts), added by GetStage.
 */

export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

export interface LocalStageFacts {
  apiId: string;
  stageName: string;
  /** the stage's default route throttle */
  throttle: Throttle;
  /** routes with a throttle of their own, by route key */
  routeThrottles: Readonly<Record<string, Throttle>>;
}

export interface LocalStage {
  apiId: string;
  stageName: string;
  /** GetStage's answer body, without its access log settings (the gateway holds those) */
  body: Record<string, unknown>;
  /** the stage changed (UpdateStage, DeleteAccessLogSettings): its lastUpdatedDate is now */
  updated(): void;
}

export function localStage(facts: LocalStageFacts, created = new Date()): LocalStage {
  const deploymentId = randomBytes(3).toString('hex');
  const date = created.toISOString();
  const routeSettings = (t: Throttle) => ({
    dataTraceEnabled: false,
    detailedMetricsEnabled: true,
    loggingLevel: 'OFF',
    throttlingBurstLimit: t.burstLimit,
    throttlingRateLimit: t.rateLimit,
  });
  const stage: LocalStage = {
    apiId: facts.apiId,
    stageName: facts.stageName,
    updated: () => {
      stage.body.lastUpdatedDate = new Date().toISOString();
    },
    body: {
      stageName: facts.stageName,
      deploymentId,
      autoDeploy: true,
      apiGatewayManaged: false,
      createdDate: date,
      lastUpdatedDate: date,
      lastDeploymentStatusMessage: `Successfully deployed stage with deployment ID '${deploymentId}'`,
      defaultRouteSettings: routeSettings(facts.throttle),
      routeSettings: Object.fromEntries(Object.entries(facts.routeThrottles).map(([route, t]) => [route, routeSettings(t)])),
      stageVariables: {},
      tags: {},
    },
  };
  return stage;
}
