import { buildServiceRequest } from '../gateway/aws-integration.ts';
import { signRequest } from '../gateway/aws-integration-signing.ts';
import type { AwsIntegrationService, AwsIntegrationTarget } from '../gateway/aws-integration-uri.ts';
import type { MappingTemplate } from '../gateway/vtl/mapping-template.ts';
import { LOCAL_CREDENTIALS } from '../lambda/options.ts';
import { fillPath, type BackendClient } from '../gateway/backend-call.ts';
import { GATEWAY_ANSWERS } from './gateway-responses.ts';
import type { IntegrationResult, MethodIntegration } from './integration.ts';
import { renderResponse, selectResponse, type CompiledResponse } from './integration-response.ts';
import { inputParams, type MethodRequest } from './method-request.ts';
import { mapRequestParameters, selectRequestTemplate, type MappedParameters, type Passthrough, type RequestParameter } from './request-mapping.ts';

/**
 * A method whose integration API Gateway maps both ways (MOCK, HTTP, AWS): the request template
 * rendered (or the body passed through, request-mapping.ts), the backend called, its answer's
 * status selecting the integration response (integration-response.ts). The backends:
 *
 * - MOCK ("Mock integrations for REST APIs"): no call; the rendered request's `statusCode` selects
 *   the response ("For a method with the mock integration to return a 200 response, configure the
 *   integration request body mapping template to return {"statusCode": 200}"); without one, the
 *   default response; the backend body its templates see is empty;
 * - HTTP: the rendered body to the URI (its `{name}`s filled from `integration.request.path.<name>`),
 *   with the mapped headers and query string, on this host only;
 * - AWS: the service the URI names (SQS, SNS, EventBridge: what the WebSocket API's AWS
 *   integrations call, ../gateway/aws-integration.ts's request and signing), at its local
 *   endpoint, signed as the CredentialsArn role.
 *
 * A template failing to render, or no response selected, is 500 `{"message": "Internal server
 * error"}`; a backend past TimeoutInMillis 504; one that cannot be reached 500.
 */

export type Backend = (request: MethodRequest, body: string, mapped: MappedParameters) => Promise<BackendResult>;
export type BackendResult =
  | { kind: 'answer'; selector: string | undefined; body: string; headers: Array<[string, string]>; latencyMs?: number }
  | { kind: 'timeout'; latencyMs: number }
  | { kind: 'error'; message: string; latencyMs?: number };

export function mappedIntegration(o: {
  label: string;
  requestTemplates: ReadonlyMap<string, MappingTemplate>;
  passthrough: Passthrough;
  parameters: readonly RequestParameter[];
  responses: readonly CompiledResponse[];
  backend: Backend;
  log: (line: string) => void;
}): MethodIntegration {
  const said = new Set<string>();
  const fail = (request: MethodRequest, why: string, integrationLatencyMs?: number): IntegrationResult => {
    const key = `${request.method.httpMethod} ${request.method.path} ${why}`;
    if (!said.has(key)) {
      said.add(key);
      o.log(`method ${request.method.httpMethod} ${request.method.path} (${o.label}): ${why}: 500 {"message": "Internal server error"}`);
    }
    return { kind: 'gateway', answer: GATEWAY_ANSWERS.internalServerError, ...(integrationLatencyMs !== undefined ? { integrationLatencyMs } : {}) };
  };
  return {
    label: o.label,
    async run(request: MethodRequest): Promise<IntegrationResult> {
      const template = selectRequestTemplate(o.requestTemplates, request.header('content-type')[0], o.passthrough);
      if (template === 'unsupported') return { kind: 'gateway', answer: GATEWAY_ANSWERS.unsupportedMediaType };
      const text = request.body.toString('utf8');
      let body: string;
      try {
        body = template === 'passthrough' ? text : template.render({ body: text, context: request.context, params: inputParams(request), stageVariables: request.stage.variables });
      } catch (err) {
        return fail(request, `the request template failed: ${(err as Error).message}`);
      }
      const mapped = mapRequestParameters(o.parameters, request);
      const answer = await o.backend(request, body, mapped);
      if (answer.kind === 'timeout') return { kind: 'gateway', answer: GATEWAY_ANSWERS.timedOut, integrationLatencyMs: answer.latencyMs };
      if (answer.kind === 'error') return fail(request, answer.message, answer.latencyMs);
      const response = selectResponse(o.responses, answer.selector);
      if (!response) return fail(request, `no integration response for ${answer.selector ?? 'the default'}, and no default one`, answer.latencyMs);
      try {
        const rendered = renderResponse(response, answer, request);
        return { kind: 'answer', ...rendered, ...(answer.latencyMs !== undefined ? { integrationLatencyMs: answer.latencyMs } : {}) };
      } catch (err) {
        return fail(request, `the response template failed: ${(err as Error).message}`, answer.latencyMs);
      }
    },
  };
}

/** MOCK: the rendered request's `statusCode` (a number or a string of one), undefined when it has none. */
export const mockBackend: Backend = async (_request, body) => {
  let statusCode: unknown;
  try {
    statusCode = (JSON.parse(body) as { statusCode?: unknown } | null)?.statusCode;
  } catch {
    statusCode = undefined;
  }
  const selector = typeof statusCode === 'number' || (typeof statusCode === 'string' && statusCode !== '') ? String(statusCode) : undefined;
  return { kind: 'answer', selector, body: '', headers: [] };
};

/** HTTP: the rendered body to `uri` (the stage's variables in), with the mapped path, query string and headers. */
export function httpBackend(o: { uri: string; httpMethod: string; timeoutMs: number; client: BackendClient }): Backend {
  return async (request, body, mapped) => {
    const url = new URL(fillPath(o.uri, { ...request.pathParameters, ...mapped.path }));
    for (const [name, value] of Object.entries(mapped.querystring)) url.searchParams.set(name, value);
    const headers: Record<string, string> = { 'Content-Type': request.header('content-type')[0] ?? 'application/json', ...mapped.header };
    const method = o.httpMethod === 'ANY' ? request.httpMethod : o.httpMethod;
    const answer = await o.client.send(url, method, headers, body, o.timeoutMs);
    if (answer.kind !== 'answer') return answer;
    return { kind: 'answer', selector: String(answer.status), body: answer.body.toString('utf8'), headers: answer.headers, latencyMs: answer.latencyMs };
  };
}

/** AWS: the service's request built and signed as the WebSocket API's AWS integrations build it, sent to its local endpoint. */
export function awsServiceBackend(o: {
  target: AwsIntegrationTarget;
  httpMethod: string;
  timeoutMs: number;
  roleArn: string;
  endpointOf(service: AwsIntegrationService): string | undefined;
  sessionTokenOf?(roleArn: string): string | undefined;
  client: BackendClient;
}): Backend {
  return async (_request, body, mapped) => {
    const endpoint = o.endpointOf(o.target.service);
    if (endpoint === undefined) return { kind: 'error', message: `the emulator runs no ${o.target.service} endpoint` };
    const call = buildServiceRequest(o.target, endpoint, o.httpMethod, body, { headers: mapped.header, querystring: mapped.querystring });
    await signRequest(
      call,
      { accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY, sessionToken: o.sessionTokenOf?.(o.roleArn) },
      { region: o.target.region, service: o.target.service },
    );
    const answer = await o.client.send(new URL(call.url), call.method, call.headers, call.body, o.timeoutMs);
    if (answer.kind !== 'answer') return answer;
    return { kind: 'answer', selector: String(answer.status), body: answer.body.toString('utf8'), headers: answer.headers, latencyMs: answer.latencyMs };
  };
}
