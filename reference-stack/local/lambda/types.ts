/** What the gateway needs from the Lambda runtime: invoke a function by name, get an outcome. */

export type ThrottleReason =
  | 'reserved-concurrency' // the function's reserved concurrency is in use
  | 'account-concurrency' // the account's concurrency limit is in use
  | 'scaling-rate'; // new environments beyond 1,000 per 10 s per function

export type InvokeOutcome =
  | {
      kind: 'ok';
      /** What the handler returned (for API Gateway routes: { statusCode, body, headers }). */
      result: unknown;
      cold: boolean;
      durationMs: number;
      billedDurationMs: number;
      initDurationMs?: number;
      /** Time spent waiting for a free environment because of the host cap (not an AWS quota). */
      hostCapWaitMs: number;
      requestId: string;
    }
  | { kind: 'error'; errorType: string; errorMessage: string; cold: boolean; durationMs: number; requestId: string }
  | { kind: 'throttled'; reason: ThrottleReason; requestId: string };

export interface LambdaRuntime {
  invoke(functionName: string, event: unknown): Promise<InvokeOutcome>;
  /** Live and busy environments per function, for tests and the stack's status. */
  stats(): Record<string, { live: number; busy: number; coldStarts: number; invocations: number; throttles: number }>;
  close(): Promise<void>;
}
