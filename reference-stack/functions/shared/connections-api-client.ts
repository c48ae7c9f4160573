import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { FUNCTION_ENV } from '../manifest.ts';
import { config } from './env.ts';
import { httpHandlerOptions } from './http-options.ts';

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
    // Enough sockets for one fan-out's posts in flight at once.
    requestHandler: httpHandlerOptions(Math.max(50, config.fanoutConcurrency)),
  });
}

export const connectionsApi = createClient();
