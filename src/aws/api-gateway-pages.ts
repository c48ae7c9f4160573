/** At most this many pages of a list: a bound, far past any real API. */
const MAX_PAGES = 50;

/** Every item of an API Gateway v2 list (GetRoutes, GetIntegrations, GetStages, …), page by page on its NextToken, bounded. */
export async function apiGatewayPages<T>(get: (token: string | undefined) => Promise<{ Items?: T[]; NextToken?: string }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await get(token);
    items.push(...(page.Items ?? []));
    token = page.NextToken;
    if (!token) break;
  }
  return items;
}

/** Every item of an API Gateway (v1) list (GetResources, GetRestApis, …), page by page on its position, bounded. */
export async function restApiPages<T>(get: (position: string | undefined) => Promise<{ items?: T[]; position?: string }>): Promise<T[]> {
  const items: T[] = [];
  let position: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await get(position);
    items.push(...(page.items ?? []));
    position = page.position;
    if (!position) break;
  }
  return items;
}
