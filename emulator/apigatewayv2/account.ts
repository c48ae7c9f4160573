import type { Throttle } from './stage.ts';

/**
 * API Gateway's GetAccount (`GET /account`, the v1 REST API, what the SDK's APIGatewayClient
 * sends with `Accept: application/json`): the account's throttle in the region, shared by every
 * API's requests and the WebSocket callback (@connections) API, i.e. the account bucket the
 * gateway enforces (`limits.accountRps`, burst `limits.accountBurst`). The answer's other fields
 * (`cloudwatchRoleArn`, `features`, `apiKeyVersion`) are what an account that never set a
 * CloudWatch role or usage plans leaves out.
 * https://docs.aws.amazon.com/apigateway/latest/api/API_GetAccount.html
 */
export function accountBody(throttle: Throttle): Record<string, unknown> {
  return { throttleSettings: { burstLimit: throttle.burstLimit, rateLimit: throttle.rateLimit } };
}
