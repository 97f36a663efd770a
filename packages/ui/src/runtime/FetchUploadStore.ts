import type { UploadRecord, UploadStore } from '@ptp/nodes';

/**
 * Uploads held by the studio server, read over `GET <baseUrl>/api/uploads/:id` (the editor's
 * uploads are stored there; the browser runner fetches the bytes it needs). An unknown id, or no
 * server at all (a static host), reads as missing: the Load image node then reports which upload.
 */
export class FetchUploadStore implements UploadStore {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
    readonly fetchImpl: typeof fetch = fetch.bind(globalThis),
  ) {}

  async read(id: string): Promise<UploadRecord | undefined> {
    if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
    const res = await this.fetchImpl(
      new URL(`api/uploads/${id}`, this.baseUrl),
      this.token ? { headers: { authorization: `Bearer ${this.token}` } } : {},
    ).catch(() => undefined);
    if (!res?.ok) return undefined;
    return {
      id,
      name: id,
      mediaType: res.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream',
      bytes: new Uint8Array(await res.arrayBuffer()),
    };
  }
}
