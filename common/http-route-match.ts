/**
 * An HTTP API's route selection, as API Gateway documents it ("Working with routes for HTTP
 * APIs"): the most specific route matching the request's method and path wins, a literal
 * segment over a path variable `{id}`, a variable over a greedy `{proxy+}` (which matches one
 * segment or more), a route of the method over `ANY`; `$default` catches what no route matches.
 * Route keys are case-sensitive; a path variable's value is URL-decoded.
 */

export interface RouteMatch<R> {
  route: R;
  /** absent when the route has no path variable */
  pathParameters?: Record<string, string>;
}

interface CompiledRoute<R> {
  route: R;
  method: string;
  /** literal text, or a variable (greedy: the rest of the path) */
  segments: Array<{ literal: string } | { variable: string; greedy: boolean }>;
}

export class RouteMatcher<R extends { routeKey: string }> {
  private readonly compiled: CompiledRoute<R>[] = [];
  private readonly fallback: R | undefined;

  constructor(routes: readonly R[]) {
    this.fallback = routes.find((r) => r.routeKey === '$default');
    for (const route of routes) {
      if (route === this.fallback) continue;
      const [method, path] = route.routeKey.split(' ', 2) as [string, string];
      const segments = path
        .split('/')
        .slice(1)
        .map((s) => {
          const v = /^\{([^}+]+)(\+?)\}$/.exec(s);
          return v ? { variable: v[1]!, greedy: v[2] === '+' } : { literal: s };
        });
      this.compiled.push({ route, method, segments });
    }
  }

  match(method: string, path: string): RouteMatch<R> | undefined {
    const parts = path.split('/').slice(1);
    let best: { c: CompiledRoute<R>; rank: number[]; params: Record<string, string> } | undefined;
    for (const c of this.compiled) {
      if (c.method !== method && c.method !== 'ANY') continue;
      const params = matchSegments(c.segments, parts);
      if (!params) continue;
      // per segment 2 literal, 1 variable, 0 greedy; then the method over ANY
      const rank = [...c.segments.map((s) => ('literal' in s ? 2 : s.greedy ? 0 : 1)), c.method === method ? 1 : 0];
      if (!best || compareRank(rank, best.rank) > 0) best = { c, rank, params };
    }
    if (best) return Object.keys(best.params).length > 0 ? { route: best.c.route, pathParameters: best.params } : { route: best.c.route };
    return this.fallback && { route: this.fallback };
  }
}

function matchSegments(segments: CompiledRoute<unknown>['segments'], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if ('literal' in s) {
      if (parts[i] !== s.literal) return undefined;
      continue;
    }
    if (s.greedy) {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[s.variable] = decode(rest.join('/'));
      return params;
    }
    if (parts[i] === undefined || parts[i] === '') return undefined;
    params[s.variable] = decode(parts[i]!);
  }
  return parts.length === segments.length ? params : undefined;
}

/** Lexicographic: the first segment where two routes differ decides, then the method. */
function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
