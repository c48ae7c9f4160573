import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchTarget } from '../../aws/cloudwatch-source.ts';

export type { CloudWatchTarget } from '../../aws/cloudwatch-source.ts';

/**
 * The CloudWatch and CloudWatch Logs clients for a target's metrics: the emulator's
 * CloudWatch-compatible endpoint or AWS, as the target's settings say (src/aws/cloudwatch-source.ts).
 * Only the client configuration differs; every call after this is the same code.
 */
export interface CloudWatchClients {
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
}

export function createCloudWatchClients(target: CloudWatchTarget): CloudWatchClients {
  return { cloudwatch: new CloudWatchClient(target.clients.cloudwatch), logs: new CloudWatchLogsClient(target.clients.logs) };
}
