import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
// Every function validates its whole environment at INIT, even one that uses none of it, so a
// misconfigured deployment shows on any route, not only on the first one that needs the variable.
import './env.ts';
import type { RouteResult } from './events.ts';
import { createMetrics, flushMetrics, logger, METRIC, MetricUnit } from './observability.ts';
import { takeThrottledAttempts } from './throttling.ts';

/** What a route's logic gets besides its event. */
export interface Invocation {
  /** True on the first invocation of this execution environment (reported in frames). */
  cold: boolean;
  /** This handler's metrics buffer, flushed as EMF when the invocation ends. */
  metrics: Metrics;
}

export type RouteLogic<E> = (event: E, invocation: Invocation) => Promise<RouteResult>;
export type RouteHandler<E> = (event: E, context?: Context) => Promise<RouteResult>;

/**
 * Wraps a route's logic into a Lambda handler (the middleware-free Powertools pattern): ColdStart
 * metric, cold flag, unexpected errors logged and rethrown (API Gateway then answers
 * "Internal server error"), DynamoDB throttling counted (DynamoDbThrottles, only when there was
 * some), metrics flushed at the end of every invocation.
 *
 * Called once at module scope of each handler file, so `cold` lives exactly as long as that
 * function's execution environment, even when several handlers share one module graph (tests).
 */
export function wsRoute<E extends { requestContext: { routeKey: string; connectionId: string } }>(
  logic: RouteLogic<E>,
): RouteHandler<E> {
  return invocationOf(logic, 'route failed', (event) => ({ route: event.requestContext.routeKey, connectionId: event.requestContext.connectionId }));
}

/**
 * The same wrapper for a function no route invokes (the push path: an EventBridge event, an SQS
 * batch): a throw is logged and rethrown, so Lambda retries the event or returns the batch.
 */
export function eventFunction<E, R>(name: string, logic: (event: E, invocation: Invocation) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return invocationOf(logic, 'invocation failed', () => ({ function: name }));
}

function invocationOf<E, R>(logic: (event: E, invocation: Invocation) => Promise<R>, failed: string, describe: (event: E) => Record<string, string>): (event: E, context?: Context) => Promise<R> {
  let cold = true;
  const metrics = createMetrics();
  return async (event, context) => {
    const invocation: Invocation = { cold, metrics };
    cold = false;
    takeThrottledAttempts(); // this invocation's count starts at zero
    if (context) logger.addContext(context);
    metrics.captureColdStartMetric(context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME);
    try {
      return await logic(event, invocation);
    } catch (error) {
      logger.error(failed, { ...describe(event), error: error as Error });
      throw error;
    } finally {
      const throttled = takeThrottledAttempts();
      if (throttled > 0) metrics.addMetric(METRIC.dynamoDbThrottles, MetricUnit.Count, throttled);
      flushMetrics(metrics);
    }
  };
}
