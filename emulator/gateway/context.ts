import type { IncomingMessage } from 'node:http';
import type { WebSocketServer } from 'ws';
import type { StackConfig } from '../config.ts';
import type { AccessLog } from './access-log.ts';
import type { ApiMetrics } from './api-metrics.ts';
import type { ConnectionsAccess } from './connections-access.ts';
import type { ConnectionRegistry } from './connection.ts';
import type { GoneConnectionRecord } from './gone-connections.ts';
import type { ApiIdentity } from './events.ts';
import type { AwsIntegration } from './aws-integration.ts';
import type { Integration } from './integration.ts';
import type { TokenBucket } from './rate-limit.ts';
import type { RouteTable } from './routing.ts';

/** The Lambda REQUEST authorizer on $connect (authorizer.ts): its function and identity sources. */
export interface AuthorizerConfig {
  functionName: string;
  /** identity source expressions, e.g. route.request.header.x-api-key */
  identitySource: readonly string[];
}

/** What the gateway's parts share: one per running gateway. */
export interface GatewayContext {
  config: StackConfig;
  api: ApiIdentity;
  /** the stack has no WebSocket API: no upgrade has an endpoint */
  noWebSocketApi?: boolean;
  routes: RouteTable;
  /** The Lambda REQUEST authorizer on $connect, when the stack has one. */
  authorizer: AuthorizerConfig | undefined;
  registry: ConnectionRegistry;
  /** connections that went away and the posts made to them since (GET /@emulator/gone-connections) */
  gone: GoneConnectionRecord;
  metrics: ApiMetrics;
  /** Who may call @connections (config.iam enforce or report); absent: every caller may. */
  connectionsAccess: ConnectionsAccess | undefined;
  integration: Integration;
  /** Routes whose integration is `AWS` (SQS, SNS, EventBridge through a request template), when the stack has any. */
  awsIntegration: AwsIntegration | undefined;
  /** The stage's access logging (AccessLogSettings), on or off. */
  accessLog: AccessLog;
  /** New connections per second (account quota). */
  newConnections: TokenBucket;
  /** Account throttle: messages in and @connections calls. */
  account: TokenBucket;
  /** The stage's default route throttle: client messages and $connect of routes without their own. */
  stage: TokenBucket;
  /** Routes with a throttle of their own (the stage's route settings), by route key. */
  routeThrottles: ReadonlyMap<string, TokenBucket>;
  wss: WebSocketServer;
  /** Subprotocol $connect chose, read by the ws server's handleProtocols during the upgrade. */
  chosenProtocol: WeakMap<IncomingMessage, string>;
  counters: GatewayCounters;
  closing: boolean;
  log: (line: string) => void;
}

export interface GatewayCounters {
  /** $disconnect events dropped on purpose (faults.lostDisconnectShare). */
  lostDisconnects: number;
  /** $disconnect events handed to the integration. */
  deliveredDisconnects: number;
  /** @connections POSTs left unanswered on purpose (faults.stallPostShare). */
  stalledPosts: number;
}
