import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { ownSettings, type SdkClientSettings } from './sdk-settings.ts';

/**
 * Clients of API Gateway's control plane where a target has it (Target.apiGatewayApi): AWS itself,
 * or the local emulator's API Gateway endpoint, which answers both versions on one port. v2 holds
 * the WebSocket API's stages (GetStage, UpdateStage, DeleteAccessLogSettings); the account's
 * settings (GetAccount: its CloudWatch Logs role) exist only in v1's REST API. Only the settings
 * differ between AWS and the emulator (sdk-settings.ts); every call after this is the same code.
 */
export interface ApiGatewayClients {
  v2: ApiGatewayV2Client;
  v1: APIGatewayClient;
  destroy(): void;
}

export function createApiGatewayClients(settings: SdkClientSettings): ApiGatewayClients {
  const v2 = new ApiGatewayV2Client(ownSettings(settings));
  const v1 = new APIGatewayClient(ownSettings(settings));
  return {
    v2,
    v1,
    destroy: () => {
      v2.destroy();
      v1.destroy();
    },
  };
}
