import { requestTime, type ApiIdentity, type ClientInfo } from '../events.ts';

/**
 * `$context` of a WebSocket route's mapping templates and request parameters (`context.x`), as
 * AWS lists the variables for WebSocket APIs ("API Gateway WebSocket API mapping template
 * reference"): the connection, the message, the API and stage, the caller's identity and what the
 * $connect authorizer answered (its values as strings, as AWS stringifies them).
 */

export interface WebSocketRequestFacts {
  api: ApiIdentity;
  client: ClientInfo;
  routeKey: string;
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  requestId: string;
  /** MESSAGE only */
  messageId?: string;
  requestTimeEpoch: number;
}

export function contextVariable(facts: WebSocketRequestFacts): Record<string, unknown> {
  const { api, client } = facts;
  const identity: Record<string, string> = { sourceIp: client.sourceIp };
  if (client.userAgent !== '') identity.userAgent = client.userAgent;
  const context: Record<string, unknown> = {
    apiId: api.apiId,
    connectedAt: client.connectedAt,
    connectionId: client.connectionId,
    domainName: api.domainName,
    eventType: facts.eventType,
    extendedRequestId: facts.requestId,
    messageDirection: 'IN',
    requestId: facts.requestId,
    requestTime: requestTime(facts.requestTimeEpoch),
    requestTimeEpoch: facts.requestTimeEpoch,
    routeKey: facts.routeKey,
    stage: api.stage,
    identity,
  };
  if (facts.messageId !== undefined) context.messageId = facts.messageId;
  if (client.authorizer) {
    const authorizer: Record<string, string> = {};
    for (const [key, value] of Object.entries(client.authorizer)) {
      if (value !== undefined && value !== null) authorizer[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
    context.authorizer = authorizer;
  }
  return context;
}
