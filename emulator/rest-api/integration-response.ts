import { selectJsonPath } from '../json-path.ts';
import { compileMappingTemplate, type MappingTemplate } from '../gateway/vtl/mapping-template.ts';
import type { RestIntegrationResponse } from '../stack-model/stack-description.ts';
import { inputParams, mediaType, type MethodRequest } from './method-request.ts';

/**
 * A non-proxy integration's responses (IntegrationResponses), as API Gateway applies them: the
 * backend's status (MOCK: the request template's `statusCode`) selects the response whose
 * SelectionPattern matches it whole (a Java regex, `matches`), else the default one (no pattern);
 * none: 500, API_CONFIGURATION_ERROR. The method answers that response's StatusCode, its
 * ResponseTemplates rendered over the backend's body (the template of the request's Accept type
 * where there is one, else `application/json`'s, else the only one; none: the body as it came) in
 * the repo's VTL, and its ResponseParameters' headers: `method.response.header.<name>` from a
 * static `'value'`, `integration.response.header.<name>`, `integration.response.body` or
 * `integration.response.body.<JSONPath>`, `context.<variable>` or `stageVariables.<name>`.
 */

export interface CompiledResponse {
  description: RestIntegrationResponse;
  pattern?: RegExp;
  templates: Map<string, MappingTemplate>;
}

/** Compiles every response's pattern and templates; throws an Error naming the first that cannot run. */
export function compileResponses(responses: readonly RestIntegrationResponse[]): CompiledResponse[] {
  return responses.map((description) => {
    const templates = new Map<string, MappingTemplate>();
    for (const [type, source] of Object.entries(description.responseTemplates)) {
      try {
        templates.set(type.toLowerCase(), compileMappingTemplate(source));
      } catch (err) {
        throw new Error(`integration response ${description.statusCode} ResponseTemplates "${type}": ${(err as Error).message}`);
      }
    }
    for (const [target, source] of Object.entries(description.responseParameters)) {
      if (!/^method\.response\.header\.[^.]+$/.test(target)) throw new Error(`integration response ${description.statusCode} ResponseParameters ${target}: not method.response.header.<name>`);
      if (!/^'.*'$/.test(source) && !/^(integration\.response\.(header\..+|body(\..+)?)|context\..+|stageVariables\..+)$/.test(source)) {
        throw new Error(`integration response ${description.statusCode} ResponseParameters ${target}: "${source}" is no 'static value', integration.response.header|body…, context.<variable> or stageVariables.<name>`);
      }
    }
    const pattern = description.selectionPattern === undefined || description.selectionPattern === '' ? undefined : new RegExp(`^(?:${description.selectionPattern})$`, 's');
    return { description, ...(pattern ? { pattern } : {}), templates };
  });
}

/** The response `selector` (a status, or undefined: the default's) selects; undefined when none does. */
export function selectResponse(responses: readonly CompiledResponse[], selector: string | undefined): CompiledResponse | undefined {
  if (selector !== undefined) {
    const matched = responses.find((r) => r.pattern?.test(selector));
    if (matched) return matched;
  }
  return responses.find((r) => !r.pattern);
}

export interface MethodAnswer {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** The method's answer from the selected response over the backend's answer; throws where a template fails to render. */
export function renderResponse(
  response: CompiledResponse,
  backend: { body: string; headers: ReadonlyArray<[string, string]> },
  request: MethodRequest,
): MethodAnswer {
  const accept = (request.header('accept')[0] ?? '')
    .split(',')
    .map((t) => mediaType(t))
    .find((t) => response.templates.has(t));
  const type = accept ?? (response.templates.has('application/json') ? 'application/json' : response.templates.size === 1 ? [...response.templates.keys()][0]! : undefined);
  const template = type === undefined ? undefined : response.templates.get(type);
  const body = template ? template.render({ body: backend.body, context: request.context, params: inputParams(request), stageVariables: request.stage.variables }) : backend.body;
  const headers: Array<[string, string]> = [['Content-Type', type ?? 'application/json']];
  for (const [target, source] of Object.entries(response.description.responseParameters)) {
    const value = parameterValue(source, backend, request);
    if (value === undefined) continue;
    const name = target.slice('method.response.header.'.length);
    const at = headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
    if (at >= 0) headers.splice(at, 1);
    headers.push([name, value]);
  }
  return { status: Number(response.description.statusCode) || 200, headers, body: Buffer.from(body) };
}

function parameterValue(source: string, backend: { body: string; headers: ReadonlyArray<[string, string]> }, request: MethodRequest): string | undefined {
  if (/^'.*'$/.test(source)) return source.slice(1, -1);
  if (source.startsWith('integration.response.header.')) {
    const name = source.slice('integration.response.header.'.length).toLowerCase();
    return backend.headers.find(([n]) => n.toLowerCase() === name)?.[1];
  }
  if (source === 'integration.response.body') return backend.body;
  if (source.startsWith('integration.response.body.')) {
    let root: unknown;
    try {
      root = JSON.parse(backend.body);
    } catch {
      return undefined;
    }
    const value = selectJsonPath(root, `$.${source.slice('integration.response.body.'.length)}`);
    return value === undefined || value === null ? undefined : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  if (source.startsWith('context.')) {
    const value = source
      .slice('context.'.length)
      .split('.')
      .reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), request.context);
    return value === undefined || value === null ? undefined : String(value);
  }
  if (source.startsWith('stageVariables.')) return request.stage.variables[source.slice('stageVariables.'.length)];
  return undefined;
}
