import { RouteMatcher } from '../../common/http-route-match.ts';
import type { RestMethodDescription } from '../stack-model/stack-description.ts';

/**
 * Which of a REST API's methods a request names, by its method and its path after the stage: the
 * most specific resource matching the path (a literal segment over a `{param}`, a `{param}` over
 * a greedy `{proxy+}`, which takes one segment or more), the request's method over `ANY`: the
 * selection common/http-route-match.ts makes for HTTP APIs, over `<METHOD> <path>` keys. Path
 * parameters are URL-decoded. No match: undefined (the API answers Missing Authentication Token);
 * a REST API has no `$default` route to fall back on.
 */
export class ResourceRouting {
  private readonly matcher: RouteMatcher<{ routeKey: string; method: RestMethodDescription }>;

  constructor(methods: readonly RestMethodDescription[]) {
    this.matcher = new RouteMatcher(methods.map((method) => ({ routeKey: methodKey(method), method })));
  }

  match(httpMethod: string, path: string): { method: RestMethodDescription; pathParameters: Record<string, string> } | undefined {
    const matched = this.matcher.match(httpMethod, path);
    return matched && { method: matched.route.method, pathParameters: matched.pathParameters ?? {} };
  }
}

/** A method as the emulator names it (`GET /items/{id}`): its probe reach hop, its metrics' route, its lines. */
export function methodKey(method: { httpMethod: string; path: string }): string {
  return `${method.httpMethod} ${method.path}`;
}
