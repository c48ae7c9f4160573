import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { TargetEndpoints } from '../../targets/target-schema.ts';
import { LOCAL_CREDENTIALS } from '../../targets/local-credentials.ts';

/**
 * Where CloudWatch is: AWS itself, or the local emulator's CloudWatch-compatible endpoint (one
 * server answers both the CloudWatch and the CloudWatch Logs protocols, told apart by
 * X-Amz-Target). Only the client configuration differs; every call after this is the same code.
 */
export interface CloudWatchTarget {
  kind: 'local' | 'aws';
  /** local: the emulator's endpoint, e.g. http://127.0.0.1:4599 */
  endpoint?: string;
  /** local: a separate CloudWatch Logs endpoint, when it is not `endpoint` */
  logsEndpoint?: string;
  /** AWS region; on AWS without it the SDK's own resolution applies (AWS_REGION, profile) */
  region?: string;
  /** AWS: a named profile (`--profile`); without it the SDK's standard chain applies */
  profile?: string;
}

export interface CloudWatchClients {
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
}

export function createCloudWatchClients(target: CloudWatchTarget): CloudWatchClients {
  // Bounded waits: an unreachable endpoint must end in a noted problem, not a hung report.
  const requestHandler = { connectionTimeout: 3_000, requestTimeout: 30_000 };
  if (target.kind === 'local') {
    if (!target.endpoint) throw new Error('local CloudWatch target needs an endpoint');
    const common = { region: target.region ?? 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 2, requestHandler };
    return {
      cloudwatch: new CloudWatchClient({ ...common, endpoint: target.endpoint }),
      logs: new CloudWatchLogsClient({ ...common, endpoint: target.logsEndpoint ?? target.endpoint }),
    };
  }
  // AWS: the standard credential chain (env, profile, SSO, instance role). Adaptive retries ride
  // out FilterLogEvents' low per-account request rate.
  const common = {
    ...(target.region ? { region: target.region } : {}),
    ...(target.profile ? { profile: target.profile } : {}),
    maxAttempts: 6,
    retryMode: 'adaptive',
    requestHandler,
  };
  return { cloudwatch: new CloudWatchClient(common), logs: new CloudWatchLogsClient(common) };
}

/**
 * Where a run's target publishes its metrics: the emulator's endpoint for a local target, AWS in
 * the target's region for a deployed stack, nowhere known for any other URL (a stack of your own).
 * On AWS the SDK resolves the regional endpoint itself (the same one the target names).
 */
export function cloudWatchFor(
  endpoints: TargetEndpoints,
): { target: CloudWatchTarget; apiGateway: { apiId: string; stage: string } | null } | null {
  const apiGateway = endpoints.apiGateway ?? null;
  if (endpoints.services === 'local' && endpoints.cloudwatch) {
    const logs = endpoints.logs && endpoints.logs !== endpoints.cloudwatch ? { logsEndpoint: endpoints.logs } : {};
    return { target: { kind: 'local', endpoint: endpoints.cloudwatch, ...logs, region: endpoints.region }, apiGateway };
  }
  if (endpoints.services === 'aws') return { target: { kind: 'aws', region: endpoints.region }, apiGateway };
  return null;
}
