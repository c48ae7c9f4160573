import { startAwsJsonServer } from '../aws-json-server.ts';
import { createLogGroup, describeLogGroups, filterLogEvents } from './logs-api.ts';
import { getMetricData, listMetrics } from './metrics-api.ts';
import type { LogStore } from './log-store.ts';
import type { MetricStore } from './metric-store.ts';
import type { IamGate } from '../iam/iam-gate.ts';
import type { ServiceEndpoint } from '../local-listener.ts';

export interface CloudWatchServerOptions {
  store: MetricStore;
  logs: LogStore;
  host?: string;
  /** 0 = any free port */
  port?: number;
  /** Used in log group ARNs. */
  region?: string;
  accountId?: string;
  /** IAM (config.iam enforce or report): a function's calls asked of its role */
  iam?: IamGate;
}

/** The endpoint for both CloudWatch and CloudWatch Logs clients. */
export type CloudWatchServer = ServiceEndpoint;

/**
 * One HTTP port speaking both protocols the SDK's clients use: AWS JSON 1.0 for CloudWatch
 * (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`) and AWS JSON 1.1 for CloudWatch Logs
 * (`X-Amz-Target: Logs_20140328.<Op>`). Signatures are not checked.
 */
export function startCloudWatchServer(options: CloudWatchServerOptions): Promise<CloudWatchServer> {
  const { store, logs, host = '127.0.0.1', port = 0, region = 'us-east-1', accountId = '000000000000' } = options;
  const logGroup = (body: unknown) => `arn:aws:logs:${region}:${accountId}:log-group:${String((body as { logGroupName?: unknown } | null)?.logGroupName ?? '*')}:*`;
  return startAwsJsonServer(
    {
      GraniteServiceVersion20100801: {
        contentType: 'application/x-amz-json-1.0',
        queryCompatible: true,
        operations: {
          GetMetricData: (body) => getMetricData(store, body),
          ListMetrics: (body) => listMetrics(store, body),
        },
        // CloudWatch's metric actions are on "*" (no resource-level permissions); a denial assumed 403, as its query API answers AccessDenied
        access: { of: (operation) => [{ action: `cloudwatch:${operation}`, resource: '*' }], status: 403 },
      },
      Logs_20140328: {
        contentType: 'application/x-amz-json-1.1',
        queryCompatible: false,
        operations: {
          FilterLogEvents: (body) => filterLogEvents(logs, body),
          DescribeLogGroups: (body) => describeLogGroups(logs, body, region, accountId),
          CreateLogGroup: (body) => createLogGroup(logs, body),
        },
        // logs:<Operation> on the log group's ARN (DescribeLogGroups: any group); a denial is the service's 400 AccessDeniedException
        access: { of: (operation, body) => [{ action: `logs:${operation}`, resource: operation === 'DescribeLogGroups' ? logGroup(undefined) : logGroup(body) }], status: 400 },
      },
    },
    host,
    port,
    options.iam,
  );
}
