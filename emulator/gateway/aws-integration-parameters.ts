import { parseJsonPath, readJsonPath, type JsonPath } from '../json-path.ts';
import { headerValues, type HandshakeRequest } from './handshake-request.ts';

/**
 * An AWS integration's RequestParameters, as WebSocket APIs map them ("Setting up data mapping for
 * WebSocket APIs"): each `integration.request.header.<name>` or `integration.request.querystring.<name>`
 * takes a static `'value'`, `route.request.body.<JSONPath>`, `context.<variable>` or
 * `stageVariables.<name>`. `route.request.header|querystring|multivalue…` exist on $connect only
 * (the handshake's headers, the gateway's own among them, and query string), so on any other route
 * they map nothing. A multi-value source gives its values joined by commas (assumed: HTTP's way of
 * folding a repeated header). A mapping that selects nothing leaves the parameter out.
 */

export interface MappedParameter {
  target: 'header' | 'querystring';
  name: string;
  source:
    | { kind: 'static'; value: string }
    | { kind: 'body'; path: JsonPath }
    | { kind: 'context'; path: string[] }
    | { kind: 'stageVariable'; name: string }
    | { kind: 'handshake'; from: HandshakeSource; name: string };
}

type HandshakeSource = 'header' | 'querystring' | 'multivalueheader' | 'multivaluequerystring';

const TARGET = /^integration\.request\.(header|querystring)\.([A-Za-z0-9._$-]+)$/;

/** Parses the mappings; throws an Error naming the first one the emulator cannot apply. */
export function parseRequestParameters(parameters: Record<string, string>): MappedParameter[] {
  const out: MappedParameter[] = [];
  for (const [key, expression] of Object.entries(parameters)) {
    const target = TARGET.exec(key);
    if (!target) throw new Error(`RequestParameters ${key}: only integration.request.header.<name> and integration.request.querystring.<name> are mapped on a WebSocket route`);
    out.push({ target: target[1] as 'header' | 'querystring', name: target[2]!, source: parameterSource(key, String(expression)) });
  }
  return out;
}

function parameterSource(key: string, expression: string): MappedParameter['source'] {
  const e = expression.trim();
  if (e.length >= 2 && e.startsWith("'") && e.endsWith("'")) return { kind: 'static', value: e.slice(1, -1) };
  if (e.startsWith('route.request.body.') || e === 'route.request.body') {
    const path = e === 'route.request.body' ? '$' : `$.${e.slice('route.request.body.'.length)}`;
    try {
      return { kind: 'body', path: parseJsonPath(path) };
    } catch (err) {
      throw new Error(`RequestParameters ${key}: ${(err as Error).message}`);
    }
  }
  if (e.startsWith('context.')) return { kind: 'context', path: e.slice('context.'.length).split('.') };
  if (e.startsWith('stageVariables.')) return { kind: 'stageVariable', name: e.slice('stageVariables.'.length) };
  const handshake = /^route\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.(.+)$/.exec(e);
  if (handshake) return { kind: 'handshake', from: handshake[1] as HandshakeSource, name: handshake[2]! };
  throw new Error(`RequestParameters ${key}: "${expression}" is no 'static value', route.request.body.<JSONPath>, context.<variable> or stageVariables.<name>`);
}

/** The headers and query string the mappings give for one request (a frame; $connect's handshake, which `handshake` carries). */
export function mapParameters(
  mapped: readonly MappedParameter[],
  request: { body: string; context: Record<string, unknown>; stageVariables?: Record<string, string>; handshake?: HandshakeRequest },
): { headers: Record<string, string>; querystring: Record<string, string> } {
  const headers: Record<string, string> = {};
  const querystring: Record<string, string> = {};
  let parsed: { value: unknown } | undefined;
  for (const p of mapped) {
    let value: unknown;
    switch (p.source.kind) {
      case 'static':
        value = p.source.value;
        break;
      case 'body':
        parsed ??= { value: parseOrUndefined(request.body) };
        value = readJsonPath(parsed.value, p.source.path);
        break;
      case 'context':
        value = p.source.path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), request.context);
        break;
      case 'stageVariable':
        value = request.stageVariables?.[p.source.name];
        break;
      case 'handshake':
        value = request.handshake && handshakeValue(request.handshake, p.source.from, p.source.name);
        break;
    }
    if (value === undefined || value === null) continue;
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    (p.target === 'header' ? headers : querystring)[p.name] = text;
  }
  return { headers, querystring };
}

function handshakeValue(handshake: HandshakeRequest, from: HandshakeSource, name: string): string | undefined {
  // header names are matched as HTTP matches them, regardless of case; query string names exactly
  const values = from === 'header' || from === 'multivalueheader' ? headerValues(handshake, name) : (handshake.query?.multi[name] ?? []);
  if (values.length === 0) return undefined;
  return from === 'header' || from === 'querystring' ? values[values.length - 1] : values.join(',');
}

function parseOrUndefined(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
