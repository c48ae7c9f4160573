/** At most this many pages of a list: a bound, far past any real API. */
const MAX_PAGES = 50;

/** Every item of a paged list, page by page on the token each page gives, bounded. */
async function allPages<P, T>(get: (token: string | undefined) => Promise<P>, itemsOf: (page: P) => T[] | undefined, nextOf: (page: P) => string | undefined): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await get(token);
    items.push(...(itemsOf(page) ?? []));
    token = nextOf(page);
    if (!token) break;
  }
  return items;
}

/** Every item of an API Gateway v2 list (GetRoutes, GetIntegrations, GetStages, …), on its NextToken. */
export function apiGatewayPages<T>(get: (token: string | undefined) => Promise<{ Items?: T[]; NextToken?: string }>): Promise<T[]> {
  return allPages(get, (p) => p.Items, (p) => p.NextToken);
}

/** Every item of an API Gateway (v1) list (GetResources, GetRestApis, …), on its position. */
export function restApiPages<T>(get: (position: string | undefined) => Promise<{ items?: T[]; position?: string }>): Promise<T[]> {
  return allPages(get, (p) => p.items, (p) => p.position);
}
