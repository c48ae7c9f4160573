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

/** A request header's first non-empty value, whatever its casing (API Gateway keeps the client's). */
export function headerValue(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers ?? {})) if (value && key.toLowerCase() === wanted) return value;
  return undefined;
}

/** What a WebSocket route returns; on two-way routes `body` is sent back to the caller. */
export interface RouteResult {
  statusCode: number;
  body?: string;
  /** $connect only: API Gateway returns these to the client (only Sec-WebSocket-Protocol matters). */
  headers?: Record<string, string>;
}

/**
 * What API Gateway sends a WebSocket REQUEST authorizer on $connect: the handshake's headers and
 * query string, `methodArn` (`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/$connect`)
 * and a CONNECT request context.
 */
export interface ConnectAuthorizerEvent {
  type: 'REQUEST';
  methodArn: string;
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  multiValueQueryStringParameters?: Record<string, string[] | undefined>;
  stageVariables?: Record<string, string | undefined>;
  requestContext: {
    routeKey: string;
    eventType: 'CONNECT';
    connectionId: string;
    requestId: string;
    apiId: string;
    stage: string;
    domainName: string;
    connectedAt: number;
    requestTimeEpoch: number;
    identity: { sourceIp: string };
  };
}
