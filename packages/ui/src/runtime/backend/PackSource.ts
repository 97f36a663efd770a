/**
 * Where the browser backend reads packs from: `<base>/packs/<id>/<file>` over fetch. The Vite
 * build copies models/packs/* into dist/packs/ with an index.json listing the ids, and whatever
 * serves dist (the studio server, any static server) serves them with the editor.
 */
export interface PackSource {
  /** Where the packs come from, for messages (e.g. `http://host/packs/`). */
  readonly where: string;
  /** Ids of the packs this source has. */
  listIds(): Promise<string[]>;
  /** The URL of a pack file (sessions fetch external data by URL). */
  url(id: string, relativePath: string): string;
  text(id: string, relativePath: string): Promise<string>;
  bytes(id: string, relativePath: string): Promise<Uint8Array>;
}

/** A pack file that could not be fetched; `status` is the HTTP status (0: network error). */
export class PackFetchError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PackFetchError';
  }
}

const PACK_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Packs served under `<baseUrl>/packs/` (baseUrl: the editor's URL, e.g. `document.baseURI`). */
export function fetchPackSource(baseUrl: string | URL, fetchImpl: typeof fetch = fetch.bind(globalThis)): PackSource {
  const root = new URL('packs/', baseUrl);
  const fileUrl = (id: string, rel: string): string => {
    // Ids and paths come from documents and manifests: keep every request inside packs/<id>/.
    if (!PACK_ID.test(id)) throw new PackFetchError(String(root), 400, `"${id}" is not a valid pack id`);
    if (rel.split('/').some((p) => p === '' || p.startsWith('.')))
      throw new PackFetchError(String(root), 400, `pack file path "${rel}" leaves the pack`);
    return new URL(`${encodeURIComponent(id)}/${rel.split('/').map(encodeURIComponent).join('/')}`, root).href;
  };
  const get = async (url: string): Promise<Response> => {
    let res: Response;
    try {
      res = await fetchImpl(url);
    } catch (err) {
      throw new PackFetchError(url, 0, `could not fetch ${url}: ${(err as Error).message}`);
    }
    if (!res.ok) throw new PackFetchError(url, res.status, `could not fetch ${url}: HTTP ${res.status}`);
    return res;
  };
  return {
    where: root.href,
    async listIds() {
      const url = new URL('index.json', root).href;
      const body = (await (await get(url)).json()) as { packs?: unknown };
      if (!Array.isArray(body.packs) || !body.packs.every((p) => typeof p === 'string'))
        throw new PackFetchError(url, 200, `${url} must be { "packs": string[] }`);
      return body.packs as string[];
    },
    url: fileUrl,
    async text(id, rel) {
      return (await get(fileUrl(id, rel))).text();
    },
    async bytes(id, rel) {
      return new Uint8Array(await (await get(fileUrl(id, rel))).arrayBuffer());
    },
  };
}
