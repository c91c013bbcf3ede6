// Where the Users, Groups and Directory sync pages find things: the app's management-API path, its
// console pages, the app's current identity provider (sync and SCIM hang off it) and query strings
// for the GET links that carry a list's filters and cursor.
import type { ConsoleCall } from '../site.js';
import type { ProviderView } from '../../idp/provider-view.js';

/** The app's management-API path: `/v1/apps/{appId}`. */
export function appApi(c: ConsoleCall): string {
  return `/v1/apps/${encodeURIComponent(c.params.appId!)}`;
}

/** A console page of the app: appUrl(c, '/users') → '/console/apps/{appId}/users'. */
export function appUrl(c: ConsoleCall, rest = ''): string {
  return c.url(`/apps/${encodeURIComponent(c.params.appId!)}${rest}`);
}

/** The app's identity provider and the management-API path of its sync and SCIM routes. */
export async function currentProvider(c: ConsoleCall): Promise<{ provider: ProviderView; api: string }> {
  const provider = await c.api<ProviderView>('GET', `${appApi(c)}/identity-providers/current`);
  return { provider, api: `${appApi(c)}/identity-providers/${encodeURIComponent(provider.id)}` };
}

/** `?a=1&b=2` of the parameters that have a value ('' when none has). */
export function queryString(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) search.set(k, v);
  const text = search.toString();
  return text ? `?${text}` : '';
}
