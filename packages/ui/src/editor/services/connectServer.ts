import { HealthResponseSchema, type Catalogue, type HealthResponse } from '@ptp/graph-core';
import { StudioClient } from '@ptp/graph-core/client';

export interface ServerConnection {
  client: StudioClient;
  health: HealthResponse;
  catalogue: Catalogue;
}

const TOKEN_KEY = 'ptp-studio-token';

/**
 * Finds the studio server the page can use: `?server=URL` (with `&token=`), else the page's own
 * origin when it was served by `ptp serve`. A static host (no /api) means browser-only: undefined.
 * The token is kept for the tab only (sessionStorage) and removed from the address bar.
 */
export async function connectServer(location: Location = window.location): Promise<ServerConnection | undefined> {
  const query = new URLSearchParams(location.search);
  const token = query.get('token') ?? sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  if (query.has('token')) {
    sessionStorage.setItem(TOKEN_KEY, query.get('token')!);
    query.delete('token');
    history.replaceState(null, '', `${location.pathname}${query.size ? `?${query}` : ''}${location.hash}`);
  }
  const baseUrl = query.get('server') ?? '';
  if (query.get('server') === 'none') return undefined;
  try {
    const res = await fetch(`${baseUrl}/api/health`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (!res.ok) return undefined;
    const health = HealthResponseSchema.safeParse(await res.json());
    if (!health.success) return undefined;
    const client = new StudioClient({ baseUrl, token });
    return { client, health: health.data, catalogue: await client.nodes() };
  } catch {
    return undefined; // no server (a static host answers HTML or nothing)
  }
}
