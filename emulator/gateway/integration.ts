import type { InvokeOutcome, LambdaRuntime } from '../lambda/types.ts';
import type { ApiMetrics } from './api-metrics.ts';
import { INVALID_PERMISSIONS, type ExecutionLog } from './execution-log.ts';

/** API Gateway gives up on an integration after 29 s, whatever the function's own timeout. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

export type IntegrationOutcome =
  | InvokeOutcome
  | { kind: 'timeout' }
  /** The runtime itself failed (not attached, or rejected): logged, answered like an error. */
  | { kind: 'failed'; message: string }
  /** API Gateway may not invoke the function (no AWS::Lambda::Permission for it): never invoked. */
  | { kind: 'not-permitted' };

/**
 * Routes whose function API Gateway may not invoke (emulator/iam/invoke-permission.ts), by route
 * key, with why, and the $connect authorizer's; `enforce` fails them as AWS does (each failure in
 * the stage's execution log), `report` invokes them and says it once.
 */
export interface InvokeRefusals {
  mode: 'enforce' | 'report';
  routes: ReadonlyMap<string, string>;
  authorizer?: string;
}

/** The request an invocation serves, for the execution log's lines. */
export interface InvokeRequest {
  requestId: string;
  connectionId: string;
}

/** Calls route functions through the Lambda runtime and records the integration metrics. */
export class Integration {
  private runtime: LambdaRuntime | undefined;
  private readonly inflight = new Set<Promise<IntegrationOutcome>>();
  private readonly refusalsSaid = new Set<string>();

  constructor(
    private readonly metrics: ApiMetrics,
    private readonly log: (line: string) => void,
    private readonly timeoutMs = INTEGRATION_TIMEOUT_MS,
    private readonly refusals?: InvokeRefusals,
    private readonly executionLog?: ExecutionLog,
  ) {}

  attach(runtime: LambdaRuntime): void {
    this.runtime = runtime;
  }

  get attached(): boolean {
    return this.runtime !== undefined;
  }

  /**
   * `route`: the route key the integration serves, for the per-route metrics. `metrics: false` for
   * the $connect authorizer: it is not an integration, and AWS/ApiGateway publishes nothing for it
   * (its Lambda metrics and REPORT lines are the runtime's, as for any function); `authorizer`
   * says it is the authorizer, whose right to be invoked is its own. `request`: for the execution log.
   */
  invoke(functionName: string, event: unknown, options: { metrics?: boolean; route?: string; authorizer?: boolean; request?: InvokeRequest } = {}): Promise<IntegrationOutcome> {
    const p = this.run(functionName, event, options);
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  /** Wait (bounded) for invocations in flight, e.g. the $disconnects fired by a shutdown. */
  async drain(maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (this.inflight.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inflight]),
        new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
    }
  }

  private async run(functionName: string, event: unknown, options: { metrics?: boolean; route?: string; authorizer?: boolean; request?: InvokeRequest }): Promise<IntegrationOutcome> {
    const runtime = this.runtime;
    if (!runtime) return { kind: 'failed', message: 'Lambda runtime not attached' };
    const { route, authorizer = false } = options;
    const recordMetrics = options.metrics !== false;
    const key = authorizer ? 'authorizer' : route;
    const refusal = authorizer ? this.refusals?.authorizer : route === undefined ? undefined : this.refusals?.routes.get(route);
    if (key !== undefined && refusal !== undefined && this.refused(key, refusal)) {
      if (recordMetrics) this.metrics.count('ExecutionError', route);
      // a refused $connect (its route or its authorizer) answers 500, a message route "Internal server error": a 500 either way
      if (options.request) this.executionLog?.invalidPermissions({ ...options.request, route: route ?? '$connect', authorizer }, functionName, 500);
      return { kind: 'not-permitted' };
    }
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let outcome: IntegrationOutcome;
    try {
      outcome = await Promise.race([
        runtime.invoke(functionName, event),
        new Promise<IntegrationOutcome>((resolve) => {
          timer = setTimeout(() => resolve({ kind: 'timeout' }), this.timeoutMs);
        }),
      ]);
    } catch (err) {
      this.log(`gateway: invoking ${functionName} failed: ${(err as Error)?.stack ?? String(err)}`);
      outcome = { kind: 'failed', message: String(err) };
    } finally {
      clearTimeout(timer);
    }
    if (!recordMetrics) return outcome;
    switch (outcome.kind) {
      case 'ok':
        this.metrics.integrationLatency(performance.now() - start, route);
        break;
      case 'error':
      case 'timeout':
        this.metrics.integrationLatency(performance.now() - start, route);
        this.metrics.count('IntegrationError', route);
        break;
      case 'throttled':
      case 'failed':
        this.metrics.count('ExecutionError', route);
        break;
    }
    return outcome;
  }

  /** Whether a route's (or the authorizer's) call is refused (enforce); said once per route on the emulator's console either way. */
  private refused(key: string, why: string): boolean {
    const enforce = this.refusals!.mode === 'enforce';
    if (!this.refusalsSaid.has(key)) {
      this.refusalsSaid.add(key);
      this.log(enforce ? `gateway: ${INVALID_PERMISSIONS} (${why})` : `iam: would fail (report): ${INVALID_PERMISSIONS} (${why})`);
    }
    return enforce;
  }
}
