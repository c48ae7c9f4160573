/**
 * The SDK's standard way to send a service's calls elsewhere: `AWS_ENDPOINT_URL_<SERVICE>`, where
 * SERVICE is the client's service id upper-cased with spaces as underscores (@smithy/core's
 * getEndpointUrlConfig: "CloudWatch Logs" → AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, "ApiGatewayV2" →
 * AWS_ENDPOINT_URL_APIGATEWAYV2, "API Gateway" (the v1 client, @aws-sdk/client-api-gateway) →
 * AWS_ENDPOINT_URL_API_GATEWAY). The AWS CLI reads the same names. Exported in a shell, they point
 * every SDK v3 client (and the CLI) at the local stack with no code change, so
 * `--target aws:<stackName>` runs offline on the same code path as on AWS.
 *
 * `AWS_ENDPOINT_URL` (no service) is the one every client falls back to when its own is not set:
 * the emulator's edge (edge/server.ts), which answers every service on one port. The export block
 * gives only it: one variable points the SDK and the CLI at the whole stack.
 */

export interface StackServiceEndpoints {
  /** every service on one port (edge/server.ts) */
  edge: string;
  cloudformation: string;
  lambda: string;
  /** CloudWatch and CloudWatch Logs share one endpoint in the emulator */
  cloudwatch: string;
  ssm: string;
  /** Secrets Manager (absent from an older emulator's ready line) */
  secretsManager?: string;
  /** API Gateway v2 (GetStage) and v1 (GetAccount) share one endpoint in the emulator */
  apigatewayv2: string;
  dynamodb: string;
  /** the fan-out services (absent from an older emulator's ready line) */
  dynamodbStreams?: string;
  sqs?: string;
  sns?: string;
  eventbridge?: string;
}

/** Each service's variable, keyed by name (in this order in the ready line and the export block). */
export function awsEndpointUrls(e: StackServiceEndpoints): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: e.edge,
    AWS_ENDPOINT_URL_CLOUDFORMATION: e.cloudformation,
    AWS_ENDPOINT_URL_LAMBDA: e.lambda,
    AWS_ENDPOINT_URL_CLOUDWATCH: e.cloudwatch,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: e.cloudwatch,
    AWS_ENDPOINT_URL_SSM: e.ssm,
    ...(e.secretsManager ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: e.secretsManager } : {}),
    AWS_ENDPOINT_URL_APIGATEWAYV2: e.apigatewayv2,
    AWS_ENDPOINT_URL_API_GATEWAY: e.apigatewayv2,
    AWS_ENDPOINT_URL_DYNAMODB: e.dynamodb,
    ...(e.dynamodbStreams ? { AWS_ENDPOINT_URL_DYNAMODB_STREAMS: e.dynamodbStreams } : {}),
    ...(e.sqs ? { AWS_ENDPOINT_URL_SQS: e.sqs } : {}),
    ...(e.sns ? { AWS_ENDPOINT_URL_SNS: e.sns } : {}),
    ...(e.eventbridge ? { AWS_ENDPOINT_URL_EVENTBRIDGE: e.eventbridge } : {}),
  };
}

/**
 * What `stack up` prints on stderr once, ready to paste: the edge's variable (else each
 * service's), the stack's region, and credentials (any: the local endpoints check no signature,
 * but the SDK signs every call and fails without some). A run's clients connect to a WebSocket API:
 * a stack without one is not offered as a run's target.
 */
export function awsExportBlock(urls: Record<string, string>, region: string, stackName: string, webSocketApi = true): string {
  const exported = urls.AWS_ENDPOINT_URL !== undefined ? { AWS_ENDPOINT_URL: urls.AWS_ENDPOINT_URL } : urls;
  const lines = [
    `# point the AWS SDK and CLI at this local stack${webSocketApi ? ` (then: fanout-bench run --target aws:${stackName})` : ''}:`,
    ...Object.entries(exported).map(([name, url]) => `export ${name}=${url}`),
    `export AWS_REGION=${region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
  ];
  return `${lines.join('\n')}\n`;
}
