import { responseV1 } from '../http-api/lambda-proxy.ts';
import type { LambdaRuntime } from '../lambda/types.ts';
import { GATEWAY_ANSWERS } from './gateway-responses.ts';
import type { IntegrationResult, MethodIntegration } from './integration.ts';
import { callFunction } from '../gateway/function-call.ts';
import { integrationFacts } from '../gateway/access-log.ts';
import { mediaType, type MethodRequest } from './method-request.ts';

/**
 * A method's Lambda proxy integration (AWS_PROXY, "Lambda proxy integrations in API Gateway"): the
 * function gets the request's proxy event (../http-api/lambda-proxy.ts's eventV1, REST's shape)
 * and its result is the answer (responseV1, REST's rules: any key but statusCode, headers,
 * multiValueHeaders, body and isBase64Encoded makes it malformed). A malformed result or a function
 * error is 502 `{"message": "Internal server error"}` ("Malformed Lambda proxy response", "Lambda
 * execution failed … due to customer function error"); past the integration's TimeoutInMillis 504
 * `{"message": "Endpoint request timed out"}`; Lambda throttling the call or the runtime failing is
 * 502 too (assumed: AWS logs both as an execution failure of the integration). API Gateway may not
 * invoke the function (no AWS::Lambda::Permission, enforced): 500, never invoked.
 *
 * A body the function gives base64-encoded (`isBase64Encoded: true`) is decoded only when the
 * request's Accept names one of the API's binaryMediaTypes ("Content type conversions"); else the
 * client gets the base64 text. With no Content-Type of the function's own, the answer's is
 * `application/json`, as REST APIs answer.
 */
export function lambdaProxyIntegration(o: {
  functionName: string;
  timeoutMs: number;
  binaryMediaTypes: readonly string[];
  /** API Gateway may not invoke the function: enforced (500) or reported (invoked) */
  refusal?: 'enforce' | 'report';
  log: (line: string) => void;
}): MethodIntegration {
  const said = new Set<string>();
  const sayOnce = (request: MethodRequest, why: string) => {
    const key = `${request.method.httpMethod} ${request.method.path} ${why}`;
    if (said.has(key)) return;
    said.add(key);
    o.log(`method ${request.method.httpMethod} ${request.method.path} (${o.functionName}): ${why}`);
  };
  return {
    label: `AWS_PROXY ${o.functionName}`,
    functionName: o.functionName,
    async run(request: MethodRequest, runtime: LambdaRuntime | undefined): Promise<IntegrationResult> {
      if (o.refusal === 'enforce' || !runtime) return { kind: 'gateway', answer: GATEWAY_ANSWERS.internalServerError };
      const started = performance.now();
      const outcome = await callFunction(runtime, o.functionName, request.event, o.timeoutMs, o.log);
      const integrationLatencyMs = performance.now() - started;
      const integration = integrationFacts(outcome, integrationLatencyMs);
      if (outcome.kind === 'timeout') return { kind: 'gateway', answer: GATEWAY_ANSWERS.timedOut, integrationLatencyMs, ...(integration ? { integration } : {}) };
      if (outcome.kind !== 'ok') {
        sayOnce(request, `${outcome.kind === 'error' ? `the function failed (${outcome.errorType})` : outcome.kind === 'throttled' ? 'Lambda throttled the invoke' : 'the invoke failed'}: 502 {"message": "Internal server error"}`);
        return { kind: 'gateway', answer: GATEWAY_ANSWERS.badGateway, integrationLatencyMs, ...(integration ? { integration } : {}) };
      }
      const response = responseV1(outcome.result, 'rest');
      if (!response) {
        sayOnce(request, 'Malformed Lambda proxy response: 502 {"message": "Internal server error"}');
        return { kind: 'gateway', answer: GATEWAY_ANSWERS.badGateway, integrationLatencyMs, ...(integration ? { integration } : {}) };
      }
      const encoded = (outcome.result as { isBase64Encoded?: unknown }).isBase64Encoded === true;
      const body = encoded && !acceptsBinary(request, o.binaryMediaTypes) ? Buffer.from(response.body.toString('base64')) : response.body;
      const headers = response.headers.some(([name]) => name.toLowerCase() === 'content-type') ? response.headers : [['Content-Type', 'application/json'] as [string, string], ...response.headers];
      return { kind: 'answer', status: response.statusCode, headers, body, integrationLatencyMs, ...(integration ? { integration } : {}) };
    },
  };
}

/** Whether the request's Accept names (one of) the API's binary media types: the first type it accepts, as AWS reads it. */
export function acceptsBinary(request: MethodRequest, binaryMediaTypes: readonly string[]): boolean {
  const first = mediaType(request.header('accept')[0]?.split(',', 1)[0]);
  if (first === '') return false;
  return binaryMediaTypes.some((t) => {
    const pattern = t.toLowerCase();
    return pattern === '*/*' || pattern === first || (pattern.endsWith('/*') && first.startsWith(pattern.slice(0, -1)));
  });
}
