import type { APIGatewayEventWebsocketRequestContextV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';

/**
 * The three WebSocket event shapes API Gateway sends. @types/aws-lambda has one type for all of
 * them; $connect adds headers (and the query string) and $disconnect adds the close details.
 */
export type MessageEvent = APIGatewayProxyWebsocketEventV2;

export interface ConnectEvent extends APIGatewayProxyWebsocketEventV2 {
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
}

export interface DisconnectEvent extends APIGatewayProxyWebsocketEventV2 {
  requestContext: APIGatewayEventWebsocketRequestContextV2 & {
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
}

/** What a WebSocket route returns; on two-way routes `body` is sent back to the caller. */
export interface RouteResult {
  statusCode: number;
  body?: string;
}
