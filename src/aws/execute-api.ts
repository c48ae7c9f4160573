import type { TargetEndpoints } from '../contracts/target-schema.ts';

/**
 * A deployed API Gateway WebSocket URL, `wss://{apiId}.execute-api.{region}.amazonaws.com/{stage}`,
 * names everything else the harness needs from AWS: the API and stage (its metrics' dimensions)
 * and the region whose CloudWatch, DynamoDB and Lambda serve the stack.
 */
export function apiGatewayFromUrl(url: string): { apiId: string; stage: string; region: string } | null {
  const m = /^wss?:\/\/([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^/?#]+)/i.exec(url);
  return m ? { apiId: m[1], region: m[2], stage: decodeURIComponent(m[3]) } : null;
}

/** The endpoints of a remote target: AWS's regional ones for an execute-api URL, none known otherwise. */
export function remoteEndpoints(url: string): TargetEndpoints {
  const api = apiGatewayFromUrl(url);
  if (!api) return { websocket: url, services: 'unknown' };
  const domain = /\.amazonaws\.com\.cn\//i.test(url) ? 'amazonaws.com.cn' : 'amazonaws.com';
  const at = (service: string) => `https://${service}.${api.region}.${domain}`;
  return {
    websocket: url,
    services: 'aws',
    region: api.region,
    apiGateway: { apiId: api.apiId, stage: api.stage },
    callback: `https://${api.apiId}.execute-api.${api.region}.${domain}/${encodeURIComponent(api.stage)}`,
    cloudwatch: at('monitoring'),
    logs: at('logs'),
    dynamodb: at('dynamodb'),
    lambda: at('lambda'),
  };
}
