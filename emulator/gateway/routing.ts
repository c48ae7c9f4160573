/**
 * Route selection for the expression `$request.body.action`: a JSON object body whose `action`
 * names a route goes there; anything else (binary, not JSON, no action, unknown action) goes to
 * `$default`, and without a `$default` route the message is refused (the client gets Forbidden).
 */

export interface RouteTarget {
  routeKey: string;
  functionName: string;
  /** Two-way route: the integration's response body is sent back to the caller. */
  returnResponse: boolean;
}

export class RouteTable {
  private readonly routes = new Map<string, RouteTarget>();

  constructor(functions: readonly { name: string; route: string; returnResponse: boolean }[]) {
    for (const f of functions) {
      if (this.routes.has(f.route)) throw new Error(`route ${f.route} is served by two functions`);
      this.routes.set(f.route, { routeKey: f.route, functionName: f.name, returnResponse: f.returnResponse });
    }
  }

  get(routeKey: string): RouteTarget | undefined {
    return this.routes.get(routeKey);
  }

  /** The route a message goes to, or undefined when nothing matches and there is no $default. */
  select(data: Buffer, isBinary: boolean): RouteTarget | undefined {
    if (!isBinary) {
      const action = actionOf(data);
      if (action !== undefined && action !== '$connect' && action !== '$disconnect') {
        const route = this.routes.get(action);
        if (route) return route;
      }
    }
    return this.routes.get('$default');
  }
}

function actionOf(data: Buffer): string | undefined {
  // Cheap pre-check: a body without the word cannot select a route, skip the parse.
  if (data.indexOf('"action"') < 0) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const action = (body as Record<string, unknown>).action;
  if (typeof action === 'string') return action;
  if (typeof action === 'number' || typeof action === 'boolean') return String(action);
  return undefined;
}
