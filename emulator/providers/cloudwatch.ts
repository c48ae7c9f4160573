import { startCloudWatchServer } from '../cloudwatch/server.ts';
import type { Provider } from './provider.ts';

/** CloudWatch and CloudWatch Logs on one endpoint, over the stack's metric and log stores. */
export const cloudwatchProvider: Provider<'cloudwatch'> = {
  name: 'cloudwatch',
  what: 'cloudwatch',
  after: ['gateway'],
  start: ({ config, metrics, logs, gate }) => startCloudWatchServer({ store: metrics, logs, host: '127.0.0.1', port: 0, region: config.region, accountId: config.accountId, ...(gate ? { iam: gate } : {}) }),
  edge: (cloudwatch) => ({ cloudwatch: cloudwatch.handle }),
  endpoints: (cloudwatch) => ({ cloudwatch: cloudwatch.url }),
};
