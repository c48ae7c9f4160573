import { compiledJsonPath, readJsonPath } from '../../json-path.ts';

/**
 * `$input` of a mapping template over one payload (a frame's body, or a service's answer):
 * `body` the raw text, `json(x)` the JSON text of what the JSONPath selects, `path(x)` the value
 * itself (to use natively in VTL), `params()` the request's parameters by kind and `params(x)` one
 * of them (path, query string, then header; '' when none). AWS's WebSocket templates have no
 * parameters (a message has none; $connect's headers and query string reach the integration
 * through RequestParameters only), so `params()` is three empty maps on every route.
 *
 * The payload is parsed once per render and `path(x)` answers the parsed objects themselves, so a
 * change made through them (`#set($b = $input.path('$'))#set($b.url = …)`, `$b.put(…)`) is what a
 * later `json(x)` writes, as users observe on AWS (docs/aws-facts.md).
 *
 * `path(x)` of a path that selects nothing gives null, which prints nothing (as observed on AWS).
 * Assumed where AWS does not say: `json(x)` of such a path gives `""` (an empty JSON string); a
 * payload that is no JSON has nothing at any path but `$`, which is the text itself.
 */

export interface InputParams {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

const NO_PARAMS: InputParams = Object.freeze({ path: {}, querystring: {}, header: {} }) as InputParams;

export interface InputVariable {
  readonly body: string;
  json(path: string): string;
  path(path: string): unknown;
  params(name?: string): unknown;
}

export function inputVariable(body: string, params: InputParams = NO_PARAMS): InputVariable {
  let root: { value: unknown } | undefined;
  const at = (path: string): unknown => {
    root ??= { value: parsePayload(body) };
    return readJsonPath(root.value, compiledJsonPath(path));
  };
  return {
    body,
    json: (path) => {
      const value = at(path);
      return value === undefined ? '""' : JSON.stringify(value);
    },
    path: (path) => at(path) ?? null,
    params: (name) => {
      if (name === undefined || name === null) return { path: { ...params.path }, querystring: { ...params.querystring }, header: { ...params.header } };
      const key = String(name);
      return params.path[key] ?? params.querystring[key] ?? params.header[key] ?? '';
    },
  };
}

function parsePayload(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
