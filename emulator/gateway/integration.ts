import type { InvokeOutcome, LambdaRuntime } from '../lambda/types.ts';
import type { ApiMetrics } from './api-metrics.ts';

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
 * key, with why; `enforce` fails them as AWS does, `report` invokes them and says it once.
 */
export interface InvokeRefusals {
  mode: 'enforce' | 'report';
  routes: ReadonlyMap<string, string>;
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
   * (its Lambda metrics and REPORT lines are the runtime's, as for any function).
   */
  invoke(functionName: string, event: unknown, options: { metrics?: boolean; route?: string } = {}): Promise<IntegrationOutcome> {
    const p = this.run(functionName, event, options.metrics !== false, options.route);
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

  private async run(functionName: string, event: unknown, recordMetrics: boolean, route: string | undefined): Promise<IntegrationOutcome> {
    const runtime = this.runtime;
    if (!runtime) return { kind: 'failed', message: 'Lambda runtime not attached' };
    const refusal = route === undefined ? undefined : this.refusals?.routes.get(route);
    if (refusal !== undefined && this.refused(route!, refusal)) {
      if (recordMetrics) this.metrics.count('ExecutionError', route);
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

  /** Whether a route's call is refused (enforce); its stage's execution log line, said once per route either way. */
  private refused(route: string, why: string): boolean {
    const enforce = this.refusals!.mode === 'enforce';
    if (!this.refusalsSaid.has(route)) {
      this.refusalsSaid.add(route);
      const line = 'Execution failed due to configuration error: Invalid permissions on Lambda function';
      this.log(enforce ? `gateway: ${line} (${why})` : `iam: would fail (report): ${line} (${why})`);
    }
    return enforce;
  }
}
