import { fillPath, HOP_BY_HOP, passedBack, type BackendClient } from '../gateway/backend-call.ts';
import { GATEWAY_ANSWERS } from './gateway-responses.ts';
import type { IntegrationResult, MethodIntegration } from './integration.ts';
import type { MethodRequest } from './method-request.ts';
import { mapRequestParameters, type RequestParameter } from './request-mapping.ts';

/**
 * A method's HTTP proxy integration (HTTP_PROXY, "HTTP proxy integrations for REST APIs"): the
 * request goes on to the integration's URI, its method the integration's (ANY: the request's
 * own), the URI's `{name}` variables filled from RequestParameters' `integration.request.path.<name>`
 * or else the method's path parameter of that name (`{proxy}` from `{proxy+}`), the client's query
 * string and headers passed on (less hop-by-hop ones) with the mapped ones added, and the body
 * as sent; the backend's status, headers and body are the answer. Past TimeoutInMillis: 504
 * `{"message": "Endpoint request timed out"}`; no connection: 500 `{"message": "Internal server
 * error"}` (said once per method). Only a backend on this host is called (../gateway/backend-call.ts): the
 * provider checks that at start.
 */
export function httpProxyIntegration(o: {
  /** the URI, the stage's variables put in (../gateway/backend-call.ts's withStageVariables) */
  uri: string;
  httpMethod: string;
  timeoutMs: number;
  parameters: readonly RequestParameter[];
  client: BackendClient;
  log: (line: string) => void;
}): MethodIntegration {
  const said = new Set<string>();
  return {
    label: `HTTP_PROXY ${o.uri}`,
    async run(request: MethodRequest): Promise<IntegrationResult> {
      const mapped = mapRequestParameters(o.parameters, request);
      const url = new URL(fillPath(o.uri, { ...request.pathParameters, ...mapped.path }));
      const query = new URLSearchParams(request.rawQueryString);
      for (const [name, value] of Object.entries(mapped.querystring)) query.set(name, value);
      for (const [name, value] of new URLSearchParams(url.search)) if (!query.has(name)) query.set(name, value);
      url.search = query.toString();
      const headers: Record<string, string> = {};
      for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
        const name = request.rawHeaders[i]!;
        if (HOP_BY_HOP.has(name.toLowerCase())) continue;
        headers[name] = headers[name] === undefined ? request.rawHeaders[i + 1]! : `${headers[name]}, ${request.rawHeaders[i + 1]!}`;
      }
      Object.assign(headers, mapped.header);
      const method = o.httpMethod === 'ANY' ? request.httpMethod : o.httpMethod;
      const answer = await o.client.send(url, method, headers, request.body, o.timeoutMs);
      if (answer.kind === 'timeout') return { kind: 'gateway', answer: GATEWAY_ANSWERS.timedOut, integrationLatencyMs: answer.latencyMs };
      if (answer.kind === 'error') {
        const key = `${request.method.httpMethod} ${request.method.path}`;
        if (!said.has(key)) {
          said.add(key);
          o.log(`method ${key} (HTTP_PROXY ${o.uri}): ${answer.message}: 500 {"message": "Internal server error"}`);
        }
        return { kind: 'gateway', answer: GATEWAY_ANSWERS.internalServerError, integrationLatencyMs: answer.latencyMs };
      }
      return { kind: 'answer', status: answer.status, headers: passedBack(answer.headers), body: answer.body, integrationLatencyMs: answer.latencyMs };
    },
  };
}
