import { createServer, type Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { UserError } from '../../common/errors.ts';
import { GONE_CONNECTIONS_PATH } from '../../common/gone-connections.ts';
import type { LogSink, MetricSink } from '../cloudwatch/types.ts';
import type { StackConfig } from '../config.ts';
import type { LambdaRuntime } from '../lambda/types.ts';
import { AccessLog } from './access-log.ts';
import { ApiMetrics } from './api-metrics.ts';
import { ConnectionRegistry } from './connection.ts';
import { handleConnectionsApi, sendError } from './connections-api.ts';
import { GoneConnectionRecord, handleGoneConnections } from './gone-connections.ts';
import { UNSERVED_CALLS_PATH } from '../../common/unserved-calls.ts';
import { handleUnservedCalls, UnservedCallRecord } from './unserved-calls.ts';
import type { AuthorizerConfig, GatewayContext } from './context.ts';
import { onUpgrade } from './handshake.ts';
import { ConnectionsAccess } from './connections-access.ts';
import { ExecutionLog } from './execution-log.ts';
import { Integration, type InvokeRefusals } from './integration.ts';
import { AwsIntegration, type AwsIntegrationOptions } from './aws-integration.ts';
import type { IamGate } from '../iam/iam-gate.ts';
import type { RequestHandler } from '../local-listener.ts';
import { startLifetimeSweep } from './lifetime.ts';
import { TokenBucket } from './rate-limit.ts';
import { RouteTable } from './routing.ts';

/**
 * The API Gateway WebSocket API of the emulator: one HTTP server carrying the WebSocket
 * endpoint (ws://HOST:PORT/{stage}) and the @connections callback API
 * (http://HOST:PORT/{stage}/@connections/{id}). It binds first, so the port is known before the
 * Lambda runtime (whose functions need CALLBACK_URL) is attached.
 */

export interface GatewayOptions {
  config: StackConfig;
  /** Route -> function, from the stack description. */
  functions: readonly { name: string; route: string; returnResponse: boolean }[];
  /** The API's RouteSelectionExpression (default `$request.body.action`). */
  routeSelectionExpression?: string;
  /** The stack has no WebSocket API (its HTTP or REST APIs alone run): every upgrade is refused 404, as no such endpoint exists; @connections and the emulator's records are still served. */
  noWebSocketApi?: boolean;
  /** A Lambda REQUEST authorizer on $connect (auth on). */
  authorizer?: AuthorizerConfig;
  metrics: MetricSink;
  /** CloudWatch Logs: the stage's execution log is written there */
  logs?: LogSink;
  log?: (line: string) => void;
  /** IAM (config.iam enforce or report): who may call @connections */
  iam?: IamGate;
  /** Routes whose function API Gateway may not invoke (no AWS::Lambda::Permission) */
  invokeRefusals?: InvokeRefusals;
  /** Routes whose integration is `AWS` (SQS, SNS, EventBridge), the services' local endpoints and the roles' sessions (aws-integration.ts) */
  awsIntegrations?: AwsIntegrationOptions;
  /** The account's throttle, shared with the stack's HTTP and REST APIs (default: one of the config's limits of its own) */
  account?: TokenBucket;
}

export interface GatewayStats {
  /** Connections registered (open or still in $connect). */
  connections: number;
  lostDisconnects: number;
  deliveredDisconnects: number;
  stalledPosts: number;
}

export interface Gateway {
  readonly host: string;
  readonly port: number;
  /** "HOST:PORT", the domainName in events. */
  readonly domainName: string;
  /** ws://HOST:PORT/{stage} */
  readonly websocketUrl: string;
  /** http://HOST:PORT/{stage}, the @connections endpoint (CALLBACK_URL). */
  readonly callbackUrl: string;
  /** http://HOST:PORT/@emulator/gone-connections: the emulator's record of posts to gone connections */
  readonly goneConnectionsUrl: string;
  /** http://HOST:PORT/@emulator/unserved-calls: the functions' calls to AWS endpoints the emulator does not serve */
  readonly unservedCallsUrl: string;
  /** The stage's access logging: the template's AccessLogSettings, then UpdateStage's (apigatewayv2/server.ts). */
  readonly accessLog: AccessLog;
  /** Its HTTP requests (the @connections API, the emulator's records), for the edge to call in process. */
  readonly handle: RequestHandler;
  /** Start serving connections: until then upgrades get 503. */
  attach(runtime: LambdaRuntime): void;
  stats(): GatewayStats;
  /** Close every socket with 1001, let $disconnects run (bounded), stop the server. Idempotent. */
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const server = createServer({ noDelay: true, keepAlive: true });
  // SDK clients keep sockets alive for reuse; closing them after Node's 5 s default races with
  // a reuse and surfaces as ECONNRESET in the functions.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const port = await listen(server, config.port, config.host);
  const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const domainName = `${hostInUrl}:${port}`;
  const stage = config.stage;

  const metrics = new ApiMetrics(options.metrics, config.apiId, stage);
  const executionLog = options.logs && new ExecutionLog(options.logs, { apiId: config.apiId, stage, region: config.region, accountId: config.accountId });
  // a template, URI or mapping it cannot run is refused here, at start, in one line naming the route
  let awsIntegration: AwsIntegration | undefined;
  try {
    awsIntegration = options.awsIntegrations && new AwsIntegration(options.awsIntegrations, { api: { apiId: config.apiId, stage, domainName }, region: config.region, accountId: config.accountId, metrics, log, executionLog });
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
  const awsRoutes = awsIntegration?.messageRoutes() ?? [];
  // $connect and $disconnect run their AWS integration (aws-integration-connection.ts); a route
  // response there answers nothing the emulator can send (a handshake, a connection gone)
  for (const r of options.awsIntegrations?.routes ?? []) {
    if ((r.routeKey === '$connect' || r.routeKey === '$disconnect') && (r.twoWay || r.responseTemplates)) {
      log(`gateway: route ${r.routeKey}: its route response (integration ${r.integrationId}'s response) is not emulated; the route's integration runs without it`);
    }
  }
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.limits.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (protocols, req) => {
      const chosen = ctx.chosenProtocol.get(req);
      return chosen !== undefined && protocols.has(chosen) ? chosen : false;
    },
  });
  const ctx: GatewayContext = {
    config,
    api: { apiId: config.apiId, stage, domainName },
    // an AWS route is selected as any route; messages.ts hands its frames to the AWS integration
    routes: new RouteTable([...options.functions, ...awsRoutes.map((r) => ({ name: `(AWS integration ${r.integrationUri})`, route: r.routeKey, returnResponse: r.twoWay }))], options.routeSelectionExpression),
    authorizer: options.authorizer,
    registry: new ConnectionRegistry(),
    gone: new GoneConnectionRecord(),
    metrics,
    connectionsAccess: options.iam && new ConnectionsAccess(options.iam, config.apiId, stage),
    integration: new Integration(metrics, log, undefined, options.invokeRefusals, executionLog),
    awsIntegration,
    accessLog: new AccessLog(options.logs, { apiId: config.apiId, accountId: config.accountId, stage, domainName }),
    newConnections: new TokenBucket(config.limits.newConnectionsPerSecond, config.limits.newConnectionsPerSecond),
    account: options.account ?? new TokenBucket(config.limits.accountRps, config.limits.accountBurst),
    // A stage without a throttle of its own is held to the account's (API Gateway's default).
    stage: new TokenBucket(config.limits.stageRps ?? config.limits.accountRps, config.limits.stageBurst ?? config.limits.accountBurst),
    routeThrottles: new Map(Object.entries(config.limits.routeThrottles).map(([route, t]) => [route, new TokenBucket(t.rps, t.burst)])),
    wss,
    chosenProtocol: new WeakMap(),
    ...(options.noWebSocketApi ? { noWebSocketApi: true } : {}),
    counters: { lostDisconnects: 0, deliveredDisconnects: 0, stalledPosts: 0 },
    closing: false,
    log,
  };

  const connectionsPrefix = `/${stage}/@connections/`;
  const unserved = new UnservedCallRecord();
  const handle: RequestHandler = (req, res) => {
    // the emulator's own record, not an AWS API: neither throttled nor metered
    const path = req.url?.split('?', 1)[0];
    if (path === GONE_CONNECTIONS_PATH) return handleGoneConnections(ctx.gone, req, res);
    if (path === UNSERVED_CALLS_PATH) return handleUnservedCalls(unserved, req, res);
    if (ctx.closing) return sendError(res, 503, 'ServiceUnavailableException', 'Service Unavailable');
    handleConnectionsApi(ctx, connectionsPrefix, req, res);
  };
  server.on('request', handle);
  server.on('upgrade', (req, socket, head) => {
    onUpgrade(ctx, req, socket, head).catch((err) => {
      log(`gateway: upgrade failed: ${(err as Error)?.stack ?? String(err)}`);
      socket.destroy();
    });
  });
  const stopSweep = startLifetimeSweep(ctx);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ctx.closing = true;
      stopSweep();
      for (const conn of ctx.registry.values()) conn.close(1001, 'Going away');
      await waitFor(() => openSockets(ctx) === 0, 1_000);
      for (const conn of ctx.registry.values()) conn.ws?.terminate();
      await waitFor(() => openSockets(ctx) === 0, 500);
      await ctx.integration.drain(3_000);
      await awsIntegration?.drain(1_000);
      awsIntegration?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      wss.close();
    })();
    return closing;
  };

  return {
    host: config.host,
    port,
    domainName,
    websocketUrl: `ws://${domainName}/${stage}`,
    callbackUrl: `http://${domainName}/${stage}`,
    goneConnectionsUrl: `http://${domainName}${GONE_CONNECTIONS_PATH}`,
    unservedCallsUrl: `http://${domainName}${UNSERVED_CALLS_PATH}`,
    accessLog: ctx.accessLog,
    handle,
    attach: (runtime) => ctx.integration.attach(runtime),
    stats: () => ({ connections: ctx.registry.size, ...ctx.counters }),
    close,
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new UserError(`port ${port} on ${host} is already in use`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new UserError(`cannot listen on host ${host}: ${err.code}`));
      else if (err.code === 'EACCES') reject(new UserError(`port ${port} on ${host}: permission denied`));
      else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function openSockets(ctx: GatewayContext): number {
  let n = 0;
  for (const conn of ctx.registry.values()) if (conn.state === 'open') n++;
  return n;
}

async function waitFor(done: () => boolean, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
