import { startAwsJsonServer } from '../aws-json-server.ts';
import { describeLogGroups, filterLogEvents } from './logs-api.ts';
import { getMetricData, listMetrics } from './metrics-api.ts';
import type { LogStore } from './log-store.ts';
import type { MetricStore } from './metric-store.ts';

export interface CloudWatchServerOptions {
  store: MetricStore;
  logs: LogStore;
  host?: string;
  /** 0 = any free port */
  port?: number;
  /** Used in log group ARNs. */
  region?: string;
  accountId?: string;
}

export interface CloudWatchServer {
  /** e.g. http://127.0.0.1:41234 — the endpoint for both CloudWatch and CloudWatch Logs clients. */
  url: string;
  close(): Promise<void>;
}

/**
 * One HTTP port speaking both protocols the SDK's clients use: AWS JSON 1.0 for CloudWatch
 * (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`) and AWS JSON 1.1 for CloudWatch Logs
 * (`X-Amz-Target: Logs_20140328.<Op>`). Signatures are not checked.
 */
export function startCloudWatchServer(options: CloudWatchServerOptions): Promise<CloudWatchServer> {
  const { store, logs, host = '127.0.0.1', port = 0, region = 'us-east-1', accountId = '000000000000' } = options;
  return startAwsJsonServer(
    {
      GraniteServiceVersion20100801: {
        contentType: 'application/x-amz-json-1.0',
        queryCompatible: true,
        operations: {
          GetMetricData: (body) => getMetricData(store, body),
          ListMetrics: (body) => listMetrics(store, body),
        },
      },
      Logs_20140328: {
        contentType: 'application/x-amz-json-1.1',
        queryCompatible: false,
        operations: {
          FilterLogEvents: (body) => filterLogEvents(logs, body),
          DescribeLogGroups: (body) => describeLogGroups(logs, body, region, accountId),
        },
      },
    },
    host,
    port,
  );
}
