import { parseJsonPath, readJsonPath, type JsonPath } from '../json-path.ts';
import type { MappingTemplate } from '../gateway/vtl/mapping-template.ts';
import { mediaType, type MethodRequest } from './method-request.ts';

/**
 * A REST integration's request side, as API Gateway maps it for a non-proxy integration
 * ("Mapping template transformations for REST APIs", "Parameter mapping for REST APIs"):
 *
 * - the request template is the one keyed by the request's Content-Type (`application/json` when
 *   it sends none); with none, PassthroughBehavior decides: WHEN_NO_MATCH passes the body
 *   through, WHEN_NO_TEMPLATES only when the integration has no template at all, NEVER refuses
 *   (415 Unsupported Media Type);
 * - RequestParameters map `integration.request.header|querystring|path.<name>` from a static
 *   `'value'`, `method.request.path|querystring|header|multivaluequerystring|multivalueheader.<name>`,
 *   `method.request.body` or `method.request.body.<JSONPath>`, `context.<variable>` or
 *   `stageVariables.<name>`; one that selects nothing leaves the parameter out.
 */

export type Passthrough = 'WHEN_NO_MATCH' | 'NEVER' | 'WHEN_NO_TEMPLATES';

export function selectRequestTemplate(templates: ReadonlyMap<string, MappingTemplate>, contentType: string | undefined, passthrough: Passthrough): MappingTemplate | 'passthrough' | 'unsupported' {
  const type = mediaType(contentType) || 'application/json';
  const template = templates.get(type);
  if (template) return template;
  switch (passthrough) {
    case 'WHEN_NO_MATCH':
      return 'passthrough';
    case 'WHEN_NO_TEMPLATES':
      return templates.size === 0 ? 'passthrough' : 'unsupported';
    case 'NEVER':
      return 'unsupported';
  }
}

export interface RequestParameter {
  target: 'header' | 'querystring' | 'path';
  name: string;
  source:
    | { kind: 'static'; value: string }
    | { kind: 'method'; from: 'path' | 'querystring' | 'header' | 'multivaluequerystring' | 'multivalueheader'; name: string }
    | { kind: 'body'; path: JsonPath }
    | { kind: 'context'; path: string[] }
    | { kind: 'stageVariable'; name: string };
}

export interface MappedParameters {
  header: Record<string, string>;
  querystring: Record<string, string>;
  path: Record<string, string>;
}

const TARGET = /^integration\.request\.(header|querystring|path)\.(.+)$/;

/** Parses RequestParameters; throws an Error naming the first mapping the emulator cannot apply. */
export function parseRequestParameters(parameters: Record<string, string>): RequestParameter[] {
  return Object.entries(parameters).map(([key, expression]) => {
    const target = TARGET.exec(key);
    if (!target) throw new Error(`RequestParameters ${key}: not integration.request.header|querystring|path.<name>`);
    return { target: target[1] as RequestParameter['target'], name: target[2]!, source: parameterSource(key, String(expression).trim()) };
  });
}

function parameterSource(key: string, e: string): RequestParameter['source'] {
  if (e.length >= 2 && e.startsWith("'") && e.endsWith("'")) return { kind: 'static', value: e.slice(1, -1) };
  if (e === 'method.request.body' || e.startsWith('method.request.body.')) {
    try {
      return { kind: 'body', path: parseJsonPath(e === 'method.request.body' ? '$' : `$.${e.slice('method.request.body.'.length)}`) };
    } catch (err) {
      throw new Error(`RequestParameters ${key}: ${(err as Error).message}`);
    }
  }
  const method = /^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$/.exec(e);
  if (method) return { kind: 'method', from: method[1] as 'path', name: method[2]! };
  if (e.startsWith('context.')) return { kind: 'context', path: e.slice('context.'.length).split('.') };
  if (e.startsWith('stageVariables.')) return { kind: 'stageVariable', name: e.slice('stageVariables.'.length) };
  throw new Error(`RequestParameters ${key}: "${e}" is no 'static value', method.request.<kind>.<name>, method.request.body[.<JSONPath>], context.<variable> or stageVariables.<name>`);
}

/** The header, query string and path values the mappings give for one request. */
export function mapRequestParameters(parameters: readonly RequestParameter[], request: MethodRequest): MappedParameters {
  const out: MappedParameters = { header: {}, querystring: {}, path: {} };
  let parsed: { value: unknown } | undefined;
  for (const p of parameters) {
    let value: unknown;
    const s = p.source;
    switch (s.kind) {
      case 'static':
        value = s.value;
        break;
      case 'method': {
        if (s.from === 'path') value = request.pathParameters[s.name];
        else {
          const values = s.from === 'header' || s.from === 'multivalueheader' ? request.header(s.name) : request.query(s.name);
          // a single-value source is the last value of a repeated query key, the first of a repeated header (as the proxy event gives them)
          value = values.length === 0 ? undefined : s.from === 'header' ? values[0] : s.from === 'querystring' ? values[values.length - 1] : values.join(',');
        }
        break;
      }
      case 'body':
        try {
          parsed ??= { value: JSON.parse(request.body.toString('utf8')) };
        } catch {
          parsed = { value: undefined };
        }
        value = readJsonPath(parsed.value, s.path);
        break;
      case 'context':
        value = s.path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), request.context);
        break;
      case 'stageVariable':
        value = request.stage.variables[s.name];
        break;
    }
    if (value === undefined || value === null) continue;
    out[p.target][p.name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}
