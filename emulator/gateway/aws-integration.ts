import { Agent, request as httpRequest } from 'node:http';
import { UserError } from '../../common/errors.ts';
import { LOCAL_CREDENTIALS } from '../lambda/options.ts';
import type { AwsRouteDescription } from '../stack-model/stack-description.ts';
import type { ApiMetrics } from './api-metrics.ts';
import { mapParameters, parseRequestParameters, type MappedParameter } from './aws-integration-parameters.ts';
import { signRequest } from './aws-integration-signing.ts';
import { integrationTarget, jsonTarget, serviceProtocol, type AwsIntegrationService, type AwsIntegrationTarget } from './aws-integration-uri.ts';
import type { ApiIdentity, ClientInfo } from './events.ts';
import type { ExecutionLog } from './execution-log.ts';
import type { HandshakeRequest } from './handshake-request.ts';
import { INTEGRATION_TIMEOUT_MS } from './integration.ts';
import { contextVariable } from './vtl/context-variable.ts';
import type { MappingTemplate } from './vtl/mapping-template.ts';
import { compileRouteTemplates, type RouteTemplates } from './vtl/route-templates.ts';
import { compiledJsonPath, readJsonPath } from '../json-path.ts';

export type { AwsIntegrationService } from './aws-integration-uri.ts';

/**
 * API Gateway's `AWS` integrations on WebSocket routes: for a frame on a message route, a
 * handshake on $connect (aws-integration-connection.ts) or a connection gone on $disconnect, the
 * integration request is rendered (the template TemplateSelectionExpression selects, PassthroughBehavior when
 * none does, RequestParameters for headers and query string) and sent to the service the
 * IntegrationUri names, at the emulator's local endpoint for it, signed as the CredentialsArn role.
 * Its answer goes back to a two-way message route's client through the integration response
 * template. $connect and $disconnect carry no body (`$input.body` is empty); $connect's
 * RequestParameters read the handshake's headers and query string.
 *
 * Metrics as for a function's route (api-metrics.ts): IntegrationLatency for every answer,
 * IntegrationError when the service answered an error or did not answer in time, ExecutionError
 * when API Gateway could not call it (no CredentialsArn, no endpoint, the template failed).
 */

export interface AwsIntegrationOptions {
  /** the stack's AWS routes (StackDescription.awsRoutes) */
  routes: readonly AwsRouteDescription[];
  /** the emulator's local endpoint of a service (`http://127.0.0.1:P`), read at each call; undefined: the stack runs none */
  endpointOf(service: AwsIntegrationService): string | undefined;
  /** the session token of a role (iam/role-sessions.ts) the emulator's IAM knows; undefined: IAM off or no such role (the call is unchecked) */
  sessionTokenOf?(roleArn: string): string | undefined;
  /** default 29 s, API Gateway's */
  timeoutMs?: number;
}

export interface AwsIntegrationPlace {
  api: ApiIdentity;
  region: string;
  accountId: string;
  metrics: ApiMetrics;
  log: (line: string) => void;
  executionLog?: ExecutionLog;
}

/** One request on an AWS route: a frame, a handshake ($connect) or a connection gone ($disconnect). */
export interface AwsRouteRequest {
  routeKey: string;
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  client: ClientInfo;
  /** the frame's text (a binary frame: its base64); '' on $connect and $disconnect */
  body: string;
  requestId: string;
  /** MESSAGE only */
  messageId?: string;
  requestTimeEpoch: number;
  /** $connect only: the upgrade request, for `route.request.header.X` / `querystring.X` mappings */
  handshake?: HandshakeRequest;
}

export type AwsCallOutcome =
  /** the service answered 2xx */
  | { kind: 'ok'; status: number; body: string; latencyMs: number }
  /** the service answered an error status */
  | { kind: 'service-error'; status: number; body: string; latencyMs: number }
  /** no template matched and PassthroughBehavior refuses to pass the body through */
  | { kind: 'unsupported-media-type' }
  /** API Gateway could not make the call (no credentials, no endpoint, the template failed, the connection failed) */
  | { kind: 'failed'; message: string; latencyMs?: number }
  | { kind: 'timeout'; latencyMs: number };

interface PreparedRoute {
  description: AwsRouteDescription;
  target: AwsIntegrationTarget;
  parameters: MappedParameter[];
  templates: RouteTemplates;
  selection: TemplateSelection;
}

type TemplateSelection = { kind: 'static'; key: string } | { kind: 'body'; path: string };

export class AwsIntegration {
  private readonly routes = new Map<string, PreparedRoute>();
  private readonly inflight = new Set<Promise<AwsCallOutcome>>();
  private readonly said = new Set<string>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly timeoutMs: number;

  /** Throws a UserError naming the route for a template, URI or mapping the emulator cannot run. */
  constructor(
    private readonly options: AwsIntegrationOptions,
    private readonly place: AwsIntegrationPlace,
  ) {
    this.timeoutMs = options.timeoutMs ?? INTEGRATION_TIMEOUT_MS;
    const templates = compileRouteTemplates(options.routes);
    for (const description of options.routes) {
      const target = integrationTarget(description.integrationUri);
      if ('refused' in target) throw new UserError(`route ${description.routeKey} (integration ${description.integrationId}): ${target.refused}`);
      let parameters: MappedParameter[];
      try {
        parameters = parseRequestParameters(description.requestParameters);
      } catch (err) {
        throw new UserError(`route ${description.routeKey} (integration ${description.integrationId}): ${(err as Error).message}`);
      }
      let selection: TemplateSelection;
      try {
        selection = templateSelection(description.templateSelectionExpression);
      } catch (err) {
        throw new UserError(`route ${description.routeKey} (integration ${description.integrationId}) TemplateSelectionExpression: ${(err as Error).message}`);
      }
      this.routes.set(description.routeKey, { description, target, parameters, templates: templates.get(description.routeKey)!, selection });
    }
  }

  /** The message routes this integration serves ($connect and $disconnect are run by the handshake and disconnect.ts). */
  messageRoutes(): AwsRouteDescription[] {
    return [...this.routes.values()].map((r) => r.description).filter((d) => d.routeKey !== '$connect' && d.routeKey !== '$disconnect');
  }

  has(routeKey: string): boolean {
    return this.routes.has(routeKey);
  }

  /** Renders and sends one request's integration request; never rejects. */
  call(request: AwsRouteRequest): Promise<AwsCallOutcome> {
    const p = this.run(request);
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  /**
   * What a two-way route sends back for an answer: the integration response template selected by
   * its key (`$default`, else the only one) rendered over the service's answer, or the answer as it
   * came when there is none. Undefined when the template fails (said in the execution log).
   */
  responseBody(request: AwsRouteRequest, answer: string): string | undefined {
    const route = this.routes.get(request.routeKey);
    if (!route) return undefined;
    const response = route.templates.response;
    const template = response.get('$default') ?? (response.size === 1 ? [...response.values()][0] : undefined);
    if (!template) return answer;
    try {
      return template.render({ body: answer, context: contextOf(this.place.api, request) });
    } catch (err) {
      this.place.executionLog?.write(request.requestId, [routeLine(request), `Execution failed due to a response template error: ${(err as Error).message}`]);
      return undefined;
    }
  }

  async drain(maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (this.inflight.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]);
      clearTimeout(timer);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private async run(request: AwsRouteRequest): Promise<AwsCallOutcome> {
    const route = this.routes.get(request.routeKey);
    if (!route) return { kind: 'failed', message: `no AWS integration on route ${request.routeKey}` };
    const { metrics } = this.place;
    const outcome = await this.send(route, request);
    switch (outcome.kind) {
      case 'ok':
        metrics.integrationLatency(outcome.latencyMs, request.routeKey);
        break;
      case 'service-error':
      case 'timeout':
        metrics.integrationLatency(outcome.latencyMs, request.routeKey);
        metrics.count('IntegrationError', request.routeKey);
        break;
      case 'failed':
        metrics.count('ExecutionError', request.routeKey);
        break;
      case 'unsupported-media-type':
        break;
    }
    return outcome;
  }

  private async send(route: PreparedRoute, request: AwsRouteRequest): Promise<AwsCallOutcome> {
    const { description, target } = route;
    const context = contextOf(this.place.api, request);
    const template = this.selectTemplate(route, request.body);
    if (template === 'refused') return { kind: 'unsupported-media-type' };

    const credentials = description.credentials;
    if (!credentials) {
      // API Gateway calls an AWS service only with a role to call it as
      this.fail(request, route, `Execution failed due to configuration error: the integration has no CredentialsArn to call ${target.service} with`, 'no CredentialsArn');
      return { kind: 'failed', message: 'no CredentialsArn' };
    }
    const endpoint = this.options.endpointOf(target.service);
    if (endpoint === undefined) {
      this.fail(request, route, `Execution failed: the emulator runs no ${target.service} endpoint for ${description.integrationUri}`, `no ${target.service} endpoint`);
      return { kind: 'failed', message: `no ${target.service} endpoint` };
    }
    let body: string;
    try {
      body = template === 'passthrough' ? request.body : template.render({ body: request.body, context });
    } catch (err) {
      this.fail(request, route, `Execution failed due to a request template error: ${(err as Error).message}`, 'request template failed');
      return { kind: 'failed', message: (err as Error).message };
    }
    const mapped = mapParameters(route.parameters, { body: request.body, context, handshake: request.handshake });
    const call = buildServiceRequest(target, endpoint, description.integrationMethod, body, mapped);
    await signRequest(
      call,
      { accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY, sessionToken: this.options.sessionTokenOf?.(credentials.arn) },
      { region: target.region, service: target.service },
    );
    const start = performance.now();
    const answer = await this.http(call);
    const latencyMs = performance.now() - start;
    if (answer.kind === 'timeout') {
      this.fail(request, route, 'Execution failed due to a timeout error', undefined, awsUri(target, call.url));
      return { kind: 'timeout', latencyMs };
    }
    if (answer.kind === 'error') {
      this.fail(request, route, `Execution failed due to an error calling the endpoint: ${answer.message}`, undefined, awsUri(target, call.url));
      return { kind: 'failed', message: answer.message, latencyMs };
    }
    if (answer.status >= 200 && answer.status < 300) return { kind: 'ok', status: answer.status, body: answer.body, latencyMs };
    this.place.executionLog?.write(request.requestId, [
      routeLine(request),
      `Endpoint request URI: ${awsUri(target, call.url)}`,
      // what the route's template built, as API Gateway logs it: the request the service refused
      `Endpoint request body after transformations: ${clipBody(body)}`,
      `Received response. Status: ${answer.status}, Integration latency: ${Math.round(latencyMs)} ms`,
      `Endpoint response body before transformations: ${clipBody(answer.body)}`,
      'Method completed with status: 500',
    ]);
    return { kind: 'service-error', status: answer.status, body: answer.body, latencyMs };
  }

  /**
   * The request template for a frame: the one its TemplateSelectionExpression's value names, else
   * `$default`; with none, PassthroughBehavior decides: WHEN_NO_MATCH passes the body through,
   * NEVER refuses (415), WHEN_NO_TEMPLATES passes it only when the integration has no templates.
   */
  private selectTemplate(route: PreparedRoute, body: string): MappingTemplate | 'passthrough' | 'refused' {
    const templates = route.templates.request;
    const key = selectionKey(route.selection, body);
    const template = (key !== undefined ? templates.get(key) : undefined) ?? templates.get('$default');
    if (template) return template;
    switch (route.description.passthroughBehavior) {
      case 'WHEN_NO_MATCH':
        return 'passthrough';
      case 'WHEN_NO_TEMPLATES':
        return templates.size === 0 ? 'passthrough' : 'refused';
      case 'NEVER':
        return 'refused';
    }
  }

  /** A call API Gateway failed: its lines in the stage's execution log, and once per route on the console. */
  private fail(request: AwsRouteRequest, route: PreparedRoute, line: string, consoleWhy: string | undefined, url?: string): void {
    this.place.executionLog?.write(request.requestId, [routeLine(request), ...(url ? [`Endpoint request URI: ${url}`] : []), line, 'Method completed with status: 500']);
    const key = `${request.routeKey}\u0000${consoleWhy ?? line}`;
    if (!this.said.has(key)) {
      this.said.add(key);
      this.place.log(`gateway: route ${request.routeKey} (AWS integration ${route.description.integrationUri}): ${consoleWhy ?? line}; ${FAILED_FOR_CLIENT[request.eventType]}`);
    }
  }

  private http(call: ServiceRequest): Promise<{ kind: 'answer'; status: number; body: string } | { kind: 'timeout' } | { kind: 'error'; message: string }> {
    return new Promise((resolve) => {
      const req = httpRequest(call.url, { method: call.method, headers: call.headers, agent: this.agent, signal: AbortSignal.timeout(this.timeoutMs) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ kind: 'answer', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => resolve({ kind: 'error', message: err.message }));
      });
      req.on('error', (err) => resolve(err.name === 'AbortError' || (err as NodeJS.ErrnoException).code === 'ABORT_ERR' ? { kind: 'timeout' } : { kind: 'error', message: err.message }));
      req.end(call.body);
    });
  }
}

interface ServiceRequest {
  url: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The request API Gateway sends: `path/…` → IntegrationMethod to that path with the rendered body;
 * `action/<Action>` → to the service's root, `Action=<Action>` and the mapped query string with the
 * rendered body (Query), or the body with `X-Amz-Target` (JSON). The mapped query string goes in the
 * URL and, to a Query service, in the form body too, where the emulator's Query endpoints read a
 * POST's parameters (SQS and SNS read URL and body alike).
 */
export function buildServiceRequest(
  target: AwsIntegrationTarget,
  endpoint: string,
  method: string,
  body: string,
  mapped: { headers: Record<string, string>; querystring: Record<string, string> },
): ServiceRequest {
  const base = new URL(endpoint);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(mapped.headers)) headers[name.toLowerCase()] = value;
  const query = new URLSearchParams();
  if (target.kind === 'action' && serviceProtocol(target.service) === 'query') query.set('Action', target.action);
  for (const [name, value] of Object.entries(mapped.querystring)) query.set(name, value);
  if (target.kind === 'action' && serviceProtocol(target.service) === 'json-1.1') {
    headers['x-amz-target'] ??= jsonTarget(target.service, target.action)!;
    headers['content-type'] ??= 'application/x-amz-json-1.1';
  }
  // API Gateway's own default for a body it sends
  headers['content-type'] ??= 'application/json';
  let sent = body;
  if (serviceProtocol(target.service) === 'query' && query.size > 0) {
    if (headers['content-type'].toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(body);
      for (const [name, value] of query) if (!form.has(name)) form.append(name, value);
      sent = form.toString();
    } else {
      // SQS and SNS take a request's parameters from its URL whatever its body; the emulator's
      // Query endpoints read a POST's form body, so the URL's parameters go there in its place
      sent = query.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
    }
  }
  const path = `${base.pathname.replace(/\/$/, '')}${target.kind === 'path' ? target.path : '/'}`;
  const queryText = query.toString();
  headers.host = base.host;
  headers['content-length'] = String(Buffer.byteLength(sent));
  return { url: `${base.origin}${path}${queryText ? `?${queryText}` : ''}`, method: method.toUpperCase() || 'POST', path, query: queryText, headers, body: sent };
}

function templateSelection(expression: string | undefined): TemplateSelection {
  const e = expression?.trim();
  if (e === undefined || e === '' || e === '\\$default' || e === '$default') return { kind: 'static', key: '$default' };
  const body = /^\$\{?request\.body\.([^}]+)\}?$/.exec(e);
  if (body) {
    const path = `$.${body[1]}`;
    compiledJsonPath(path);
    return { kind: 'body', path };
  }
  return { kind: 'static', key: e.replace(/^\\\$/, '$') };
}

function selectionKey(selection: TemplateSelection, body: string): string | undefined {
  if (selection.kind === 'static') return selection.key;
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    return undefined;
  }
  const value = readJsonPath(root, compiledJsonPath(selection.path));
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** What a failed call means for the client, by the event it served. */
const FAILED_FOR_CLIENT: Record<AwsRouteRequest['eventType'], string> = {
  MESSAGE: 'clients get Internal server error',
  CONNECT: 'handshakes fail',
  DISCONNECT: 'the event is lost',
};

function contextOf(api: ApiIdentity, request: AwsRouteRequest): Record<string, unknown> {
  const { client, routeKey, eventType, requestId, messageId, requestTimeEpoch } = request;
  return contextVariable({ api, client, routeKey, eventType, requestId, ...(messageId !== undefined ? { messageId } : {}), requestTimeEpoch });
}

/** A body as the execution log writes it: its first 1,000 characters, then `[TRUNCATED]`. */
const clipBody = (body: string) => (body.length > 1000 ? `${body.slice(0, 1000)} [TRUNCATED]` : body);

/** The call's URL as API Gateway would have called it: the service's regional endpoint, not the emulator's listener. */
function awsUri(target: AwsIntegrationTarget, url: string): string {
  const u = new URL(url);
  return `https://${target.service}.${target.region}.amazonaws.com${u.pathname}${u.search}`;
}

function routeLine(request: AwsRouteRequest): string {
  return `WebSocket Request Route: [${request.routeKey}], Connection Id: [${request.client.connectionId}]`;
}
