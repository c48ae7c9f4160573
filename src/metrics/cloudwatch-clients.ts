import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LOCAL_CREDENTIALS } from '../targets/local-credentials.ts';

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
  const common = { ...(target.region ? { region: target.region } : {}), maxAttempts: 6, retryMode: 'adaptive', requestHandler };
  return { cloudwatch: new CloudWatchClient(common), logs: new CloudWatchLogsClient(common) };
}

/** `wss://{apiId}.execute-api.{region}.amazonaws.com/{stage}` → its API id, stage and region. */
export function apiGatewayFromUrl(url: string): { apiId: string; stage: string; region: string } | null {
  const m = /^wss?:\/\/([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^/?#]+)/i.exec(url);
  return m ? { apiId: m[1], region: m[2], stage: decodeURIComponent(m[3]) } : null;
}

/**
 * Where a run's target publishes its metrics: the emulator's endpoint for a local target, AWS
 * for an execute-api URL, nowhere known for any other URL (a stack of your own elsewhere).
 */
export function cloudWatchFor(target: {
  url: string;
  local?: { cloudwatchEndpoint: string; region: string; apiId: string; stage: string } | undefined;
}): { target: CloudWatchTarget; apiGateway: { apiId: string; stage: string } } | null {
  if (target.local) {
    const { cloudwatchEndpoint, region, apiId, stage } = target.local;
    return { target: { kind: 'local', endpoint: cloudwatchEndpoint, region }, apiGateway: { apiId, stage } };
  }
  const api = apiGatewayFromUrl(target.url);
  return api ? { target: { kind: 'aws', region: api.region }, apiGateway: { apiId: api.apiId, stage: api.stage } } : null;
}
