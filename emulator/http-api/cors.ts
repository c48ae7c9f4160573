import type { HttpCorsDescription } from '../stack-model/stack-description.ts';

/**
 * An HTTP API's CORS configuration as API Gateway applies it ("Configuring CORS for an HTTP
 * API"): a preflight (OPTIONS with `Origin` and `Access-Control-Request-Method`) is answered by
 * the API itself, 204, with the configured Allow-Origin, -Methods, -Headers, -Credentials and
 * Max-Age where the origin is allowed, unless a route of the method OPTIONS or `$default` takes
 * it (AWS documents that `$default` catches OPTIONS requests, authorizer and all); on every other
 * answer to a request with an allowed `Origin` the API adds Allow-Origin, -Credentials and
 * Expose-Headers. The integration's own `Access-Control-*` headers are dropped: API Gateway
 * ignores them once CORS is configured. An origin is allowed by its exact value, `*`, or its
 * scheme's wildcard (`https://*`).
 */
export class HttpCors {
  constructor(private readonly c: HttpCorsDescription) {}

  /** Whether a request is a preflight the API answers itself (given the route key that would take it, if any). */
  isPreflight(method: string, headers: NodeJS.Dict<string | string[]>, routeKey: string | undefined): boolean {
    if (method !== 'OPTIONS' || headers.origin === undefined || headers['access-control-request-method'] === undefined) return false;
    return routeKey === undefined || !(routeKey === '$default' || routeKey.startsWith('OPTIONS '));
  }

  /** The preflight's answer headers: none for an origin the configuration does not allow. */
  preflight(origin: string): Array<[string, string]> {
    const allowed = this.allowOrigin(origin);
    if (allowed === undefined) return [];
    return [
      ['access-control-allow-origin', allowed],
      ...this.list('access-control-allow-methods', this.c.allowMethods),
      ...this.list('access-control-allow-headers', this.c.allowHeaders),
      ...(this.c.maxAge !== undefined ? [['access-control-max-age', String(this.c.maxAge)] as [string, string]] : []),
      ...this.credentials(),
    ];
  }

  /** Any answer's headers: the integration's Access-Control-* dropped, the configured ones added for an allowed origin. */
  response(origin: string | undefined, headers: ReadonlyArray<[string, string]>): Array<[string, string]> {
    const own = headers.filter(([name]) => !name.toLowerCase().startsWith('access-control-'));
    const allowed = origin === undefined ? undefined : this.allowOrigin(origin);
    if (allowed === undefined) return own;
    return [...own, ['access-control-allow-origin', allowed], ...this.list('access-control-expose-headers', this.c.exposeHeaders), ...this.credentials()];
  }

  private allowOrigin(origin: string): string | undefined {
    const o = this.c.allowOrigins;
    if (o.includes('*')) return '*';
    const lower = origin.toLowerCase();
    const hit = o.some((a) => {
      const allowed = a.toLowerCase();
      return allowed === lower || (allowed.endsWith('://*') && lower.startsWith(allowed.slice(0, -1)));
    });
    return hit ? origin : undefined;
  }

  private list(name: string, values: readonly string[]): Array<[string, string]> {
    return values.length > 0 ? [[name, values.join(',')]] : [];
  }

  private credentials(): Array<[string, string]> {
    return this.c.allowCredentials ? [['access-control-allow-credentials', 'true']] : [];
  }
}
