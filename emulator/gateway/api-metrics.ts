import type { MetricSink } from '../cloudwatch/types.ts';

export type ApiCountMetric = 'ConnectCount' | 'MessageCount' | 'IntegrationError' | 'ClientError' | 'ExecutionError';
/** An HTTP API's counts ("Monitor CloudWatch metrics for HTTP APIs"): each request, and those answered 4xx or 5xx. */
export type HttpApiCountMetric = 'Count' | '4xx' | '5xx';
/** A REST API's counts ("Amazon API Gateway dimensions and metrics"): each request, and whether it was answered 4xx or 5xx (0 or 1, so Average is the error rate). */
export type RestApiCountMetric = 'Count' | '4XXError' | '5XXError';

/**
 * AWS/ApiGateway metrics of one stage, each datum under every dimension set AWS documents for
 * WebSocket APIs ("Monitor WebSocket API execution with CloudWatch metrics"): `ApiId`;
 * `ApiId, Stage`; and, for what happens on a route, `ApiId, Method, Resource, Stage`, which AWS
 * sends only with detailed metrics on (the reference stack turns them on, and its stage answers
 * `detailedMetricsEnabled: true` in GetStage).
 *
 * What Method and Resource hold for a WebSocket route AWS does not say: it describes the set as
 * filtering "an API method with the specified API ID, stage ID, resource path, and route ID".
 * Assumed here: Resource is the route key (`$connect`, `sendMessage`), the one path-like name a
 * WebSocket route has, and Method the type of event API Gateway gives that route's integration
 * (`CONNECT`, `DISCONNECT`, `MESSAGE`, as in `requestContext.eventType`). A harness should find the
 * sets with ListMetrics and map them to routes by Resource, not build them from this assumption.
 *
 * - ConnectCount: each connection attempt that reaches the $connect route (after the new-connection throttle).
 * - MessageCount: each message in from a client, each @connections POST delivered, each route
 *   response sent (a POST has no route: stage and API sets only).
 * - IntegrationError: the integration answered with an error: the handler threw or timed out, the
 *   29 s integration timeout passed, or $connect answered a non-2xx status.
 * - ClientError: a 4xx API Gateway answered itself (Forbidden for no route, new-connection and
 *   account throttles, bad path, @connections 403/410/413/429); stage and API sets only.
 * - ExecutionError: the integration could not be called (Lambda throttled the invoke).
 * - IntegrationLatency: ms per route invocation.
 *
 * A REST API's metrics are named by `ApiName` where the others' say `ApiId` (`apiDimension`), its
 * Method and Resource those of the method a request took (../rest-api/).
 */
export class ApiMetrics {
  private readonly stage: Record<string, string>;
  private readonly api: Record<string, string>;
  private readonly routes = new Map<string, Record<string, string>>();

  constructor(
    /** the stack's metric store, which the gateway's probe reach stamps also go to (../probe-reach.ts) */
    readonly sink: MetricSink,
    private readonly apiId: string,
    private readonly stageName: string,
    /** a route's Method dimension (a WebSocket route's: its event type; an HTTP API route's: its method) */
    private readonly methodOf: (route: string) => string = routeMethod,
    /** the dimension naming the API: `ApiId` (WebSocket and HTTP APIs), `ApiName` (REST APIs, whose value is then the API's name) */
    private readonly apiDimension: 'ApiId' | 'ApiName' = 'ApiId',
  ) {
    // Frozen and reused by every datum (the store caches the series key of a frozen set).
    this.stage = Object.freeze({ [apiDimension]: apiId, Stage: stageName }) as Record<string, string>;
    this.api = Object.freeze({ [apiDimension]: apiId }) as Record<string, string>;
  }

  /** One event (`value` 1), or a REST API's 0 for a request that was no error; `route` when it happened on a route (its per-route set gets it too). */
  count(name: ApiCountMetric | HttpApiCountMetric | RestApiCountMetric, route?: string, value = 1): void {
    this.put(name, value, 'Count', route);
  }

  integrationLatency(ms: number, route?: string): void {
    this.put('IntegrationLatency', ms, 'Milliseconds', route);
  }

  /** An HTTP or REST API's Latency: from the request received to the response sent. */
  latency(ms: number, route?: string): void {
    this.put('Latency', ms, 'Milliseconds', route);
  }

  /** An HTTP API's DataProcessed: the bytes of a request and its response. */
  dataProcessed(bytes: number, route?: string): void {
    this.put('DataProcessed', bytes, 'Bytes', route);
  }

  private put(name: string, value: number, unit: string, route: string | undefined): void {
    const timestamp = Date.now();
    const namespace = 'AWS/ApiGateway';
    this.sink.put({ namespace, name, dimensions: this.stage, value, unit, timestamp });
    this.sink.put({ namespace, name, dimensions: this.api, value, unit, timestamp });
    if (route !== undefined) this.sink.put({ namespace, name, dimensions: this.routeDimensions(route), value, unit, timestamp });
  }

  private routeDimensions(route: string): Record<string, string> {
    let dimensions = this.routes.get(route);
    if (!dimensions) {
      dimensions = Object.freeze({ [this.apiDimension]: this.apiId, Method: this.methodOf(route), Resource: resourceOf(route), Stage: this.stageName }) as Record<string, string>;
      this.routes.set(route, dimensions);
    }
    return dimensions;
  }
}

/** The Resource dimension: an HTTP API route's path (`POST /notify` → `/notify`), a WebSocket route's key. */
function resourceOf(route: string): string {
  const space = route.indexOf(' ');
  return space === -1 ? route : route.slice(space + 1);
}

/** The Method dimension of a route (see the assumption above): its integration's event type. */
export function routeMethod(route: string): 'CONNECT' | 'DISCONNECT' | 'MESSAGE' {
  return route === '$connect' ? 'CONNECT' : route === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
}
