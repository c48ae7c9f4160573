import { UserError } from '../../common/errors.ts';

/**
 * Route selection by the API's RouteSelectionExpression, `$request.body.<path>` (`action` in the
 * reference stack, whatever field a template names, dotted for a nested one): a JSON object body
 * whose field names a route goes there; anything else (binary, not JSON, no such field, unknown
 * route) goes to `$default`, and without a `$default` route the message is refused (the client
 * gets Forbidden). A fixed expression (no `$request.body.`) selects the route it names, as API
 * Gateway does for a static selection expression.
 */

export interface RouteTarget {
  routeKey: string;
  functionName: string;
  /** Two-way route: the integration's response body is sent back to the caller. */
  returnResponse: boolean;
}

const BODY_PREFIX = '$request.body.';

export class RouteTable {
  private readonly routes = new Map<string, RouteTarget>();
  private readonly path: string[] | undefined;
  private readonly fixed: string | undefined;
  /** Cheap pre-check: a body without the field's name in quotes cannot select a route. */
  private readonly marker: string;

  constructor(
    functions: readonly { name: string; route: string; returnResponse: boolean }[],
    selectionExpression = '$request.body.action',
  ) {
    for (const f of functions) {
      if (this.routes.has(f.route)) throw new Error(`route ${f.route} is served by two functions`);
      this.routes.set(f.route, { routeKey: f.route, functionName: f.name, returnResponse: f.returnResponse });
    }
    if (selectionExpression.startsWith(BODY_PREFIX)) {
      this.path = selectionExpression.slice(BODY_PREFIX.length).split('.');
      if (this.path.some((p) => !/^[A-Za-z0-9_$-]+$/.test(p))) {
        throw new UserError(`RouteSelectionExpression: "${selectionExpression}" is not a $request.body.<field> expression the emulator can evaluate`);
      }
      this.marker = `"${this.path[this.path.length - 1]}"`;
    } else if (selectionExpression.includes('$')) {
      throw new UserError(`RouteSelectionExpression: "${selectionExpression}" is not a $request.body.<field> expression the emulator can evaluate`);
    } else {
      this.fixed = selectionExpression;
      this.marker = '';
    }
  }

  get(routeKey: string): RouteTarget | undefined {
    return this.routes.get(routeKey);
  }

  keys(): string[] {
    return [...this.routes.keys()];
  }

  /** The route a message goes to, or undefined when nothing matches and there is no $default. */
  select(data: Buffer, isBinary: boolean): RouteTarget | undefined {
    const key = this.fixed ?? (isBinary ? undefined : this.selectedKey(data));
    if (key !== undefined && key !== '$connect' && key !== '$disconnect') {
      const route = this.routes.get(key);
      if (route) return route;
    }
    return this.routes.get('$default');
  }

  private selectedKey(data: Buffer): string | undefined {
    if (data.indexOf(this.marker) < 0) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch {
      return undefined;
    }
    for (const step of this.path!) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      value = (value as Record<string, unknown>)[step];
    }
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return undefined;
  }
}
