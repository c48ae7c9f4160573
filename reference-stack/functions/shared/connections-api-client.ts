import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { FUNCTION_ENV } from '../manifest.ts';
import { config } from './env.ts';
import { httpHandlerOptions } from './http-options.ts';
import { NoRetryAfterTimeout } from './post-retry.ts';

/**
 * The @connections management API client, created once per execution environment. Only the
 * functions that post to connections import this module, so only they require CALLBACK_URL
 * (https://{apiId}.execute-api.{region}.amazonaws.com/{stage} on AWS, http://127.0.0.1:P/{stage}
 * under the emulator); the others do not pay for loading this client at cold start.
 */
function createClient(): ApiGatewayManagementApiClient {
  if (!config.callbackUrl) {
    throw new Error(
      `fanout-chat: invalid environment: ${FUNCTION_ENV.callbackUrl} is required by functions that post to connections ` +
        '(the management API base URL, stage included)',
    );
  }
  return new ApiGatewayManagementApiClient({
    endpoint: config.callbackUrl,
    requestHandler: {
      // Enough sockets for one fan-out's posts in flight at once.
      ...httpHandlerOptions(Math.max(50, config.fanoutConcurrency)),
      // Each attempt ends after POST_TIMEOUT_MS without an answer (by default the SDK only warns),
      // so a stuck post cannot hold the fan-out until the Lambda times out; it is not retried.
      requestTimeout: config.postTimeoutMs,
      throwOnRequestTimeout: true,
    },
    retryStrategy: new NoRetryAfterTimeout(),
    // The middleware stack is resolved once, not on every post: about a fifth of a post's CPU
    // (bench/RESULTS.md). Safe because posts pass no per-call options and the stack is never
    // changed after the first send.
    cacheMiddleware: true,
  });
}

export const connectionsApi = createClient();
