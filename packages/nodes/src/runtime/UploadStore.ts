/**
 * Uploaded files as nodes see them. Graphs name an upload by its id (the sha256 of its bytes, never
 * a path); the runner decides where the bytes live (a folder on the server and CLI, IndexedDB or
 * memory in the browser) and lends the store to runs through `ctx.resources.uploads`.
 */
export interface UploadRecord {
  /** sha256 of `bytes`, 64 lower-case hex digits. */
  readonly id: string;
  /** The name the file was uploaded with (display only). */
  readonly name: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

export interface UploadStore {
  /** The upload with this id, or undefined when the store has none. */
  read(id: string): Promise<UploadRecord | undefined>;
}

/** An in-memory store keyed by id (tests, the browser before persistence). */
export class MemoryUploadStore implements UploadStore {
  readonly #records = new Map<string, UploadRecord>();

  constructor(records: readonly UploadRecord[] = []) {
    for (const r of records) this.#records.set(r.id, r);
  }

  add(record: UploadRecord): void {
    this.#records.set(record.id, record);
  }

  read(id: string): Promise<UploadRecord | undefined> {
    return Promise.resolve(this.#records.get(id));
  }
}

/** Tries each store in order: e.g. the user's uploads, then the examples bundled with the repo. */
export class ChainedUploadStore implements UploadStore {
  constructor(readonly stores: readonly UploadStore[]) {}

  async read(id: string): Promise<UploadRecord | undefined> {
    for (const s of this.stores) {
      const r = await s.read(id);
      if (r) return r;
    }
    return undefined;
  }
}

declare module '@ptp/graph-core' {
  interface RunResources {
    /** Where Load image finds uploads. */
    uploads?: UploadStore;
  }
}
