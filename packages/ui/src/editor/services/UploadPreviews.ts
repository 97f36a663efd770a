/** Reads an upload's bytes and media type; undefined when there is no such upload. */
export type ReadUpload = (id: string) => Promise<{ bytes: Uint8Array; mediaType: string } | undefined>;

/** Previews made at most: an editor rarely shows more pictures than this, and each holds its bytes. */
const MAX_PREVIEWS = 64;

/**
 * Object URLs of uploaded pictures for the Load image node's preview (ComfyUI shows the picture on
 * the node). A picture uploaded in this page is known at once; another (a saved workflow's) is
 * read once, from the server where there is one. The oldest URLs are revoked past MAX_PREVIEWS.
 */
export class UploadPreviews {
  readonly #urls = new Map<string, Promise<string | undefined>>();

  constructor(readonly read: ReadUpload | undefined) {}

  /** A picture uploaded here: its preview needs no read. */
  add(id: string, bytes: Uint8Array, mediaType: string): void {
    if (!this.#urls.has(id)) this.#keep(id, Promise.resolve(this.#objectUrl(bytes, mediaType)));
  }

  /** The picture's URL, or undefined when it cannot be read (no server, unknown id). */
  url(id: string): Promise<string | undefined> {
    const known = this.#urls.get(id);
    if (known) return known;
    const url = (this.read?.(id) ?? Promise.resolve(undefined)).then(
      (r) => (r ? this.#objectUrl(r.bytes, r.mediaType) : undefined),
      () => undefined,
    );
    // A picture not there now may be later (an upload on its way, a server back up): not remembered.
    void url.then((u) => u === undefined && this.#urls.get(id) === url && this.#urls.delete(id));
    this.#keep(id, url);
    return url;
  }

  #objectUrl(bytes: Uint8Array, mediaType: string): string {
    return URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: mediaType }));
  }

  #keep(id: string, url: Promise<string | undefined>): void {
    this.#urls.set(id, url);
    if (this.#urls.size <= MAX_PREVIEWS) return;
    const [oldest, dropped] = this.#urls.entries().next().value!;
    this.#urls.delete(oldest);
    void dropped.then((u) => u && URL.revokeObjectURL(u));
  }
}
