import type { IntegrationFacts } from '../gateway/access-log-format.ts';
import type { LambdaRuntime } from '../lambda/types.ts';
import type { GatewayAnswer } from './gateway-responses.ts';
import type { MethodRequest } from './method-request.ts';

/**
 * What a REST method's integration gives back: the method's answer (the function's, the
 * backend's, a mapped response), or one of API Gateway's own (timeout, failure), with how long the
 * integration took when one was called (IntegrationLatency), and what a function's call came to
 * (the access log's `$context.integration.*`).
 */
export type IntegrationResult =
  | { kind: 'answer'; status: number; headers: Array<[string, string]>; body: Buffer; integrationLatencyMs?: number; integration?: IntegrationFacts }
  | { kind: 'gateway'; answer: GatewayAnswer; integrationLatencyMs?: number; integration?: IntegrationFacts };

/** One method's integration on one stage, ready to run (lambda-proxy-integration.ts, http-proxy-integration.ts, mapped-integration.ts). */
export interface MethodIntegration {
  /** `AWS_PROXY`, `MOCK`, … and where it goes: how the start lines name it */
  readonly label: string;
  /** the function it invokes (AWS_PROXY), for the ready line */
  readonly functionName?: string;
  run(request: MethodRequest, runtime: LambdaRuntime | undefined): Promise<IntegrationResult>;
}

/** An integration the emulator does not run: every request is 500, said once at start (`why`). */
export function notRun(label: string, why: string, answer: GatewayAnswer): MethodIntegration & { why: string } {
  return { label, why, run: async () => ({ kind: 'gateway', answer }) };
}
