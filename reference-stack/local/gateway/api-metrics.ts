import type { MetricSink } from '../cloudwatch/types.ts';

export type ApiCountMetric = 'ConnectCount' | 'MessageCount' | 'IntegrationError' | 'ClientError' | 'ExecutionError';

/**
 * AWS/ApiGateway metrics for one stage, dimensions { ApiId, Stage }:
 * - ConnectCount: each connection attempt that reaches the $connect route (after the new-connection throttle).
 * - MessageCount: each message in from a client, each @connections POST delivered, each route response sent.
 * - IntegrationError: the integration answered with an error: the handler threw or timed out, the
 *   29 s integration timeout passed, or $connect answered a non-2xx status.
 * - ClientError: a 4xx API Gateway answered itself (Forbidden for no route, new-connection and
 *   account throttles, bad path, @connections 403/410/413/429).
 * - ExecutionError: the integration could not be called (Lambda throttled the invoke).
 * - IntegrationLatency: ms per route invocation.
 */
export class ApiMetrics {
  private readonly dimensions: Record<string, string>;

  constructor(
    private readonly sink: MetricSink,
    apiId: string,
    stage: string,
  ) {
    this.dimensions = Object.freeze({ ApiId: apiId, Stage: stage }) as Record<string, string>;
  }

  count(name: ApiCountMetric): void {
    this.sink.put({ namespace: 'AWS/ApiGateway', name, dimensions: this.dimensions, value: 1, unit: 'Count', timestamp: Date.now() });
  }

  integrationLatency(ms: number): void {
    this.sink.put({
      namespace: 'AWS/ApiGateway',
      name: 'IntegrationLatency',
      dimensions: this.dimensions,
      value: ms,
      unit: 'Milliseconds',
      timestamp: Date.now(),
    });
  }
}
