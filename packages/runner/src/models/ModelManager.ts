import { randomUUID } from 'node:crypto';
import { readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ExportCandidate, ImportJob, PackDetails, PackSummary } from '@ptp/graph-core';
import { PTP_MANIFEST_FILE, PtpManifestSchema } from '@ptp/nodes/diffusion';
import { apiFail, apiOk, type ApiResult } from '../ApiResult.js';
import { importPack } from '../onnx/importPack.js';
import { PACK_ID, PackStore } from '../packs/PackStore.js';

export interface ModelManagerOptions {
  /** Where imported packs go; the only folder packs can be removed from. */
  managedDir: string;
  /** Every folder the server loads packs from (the managed one included). */
  packDirs: readonly string[];
  /** Folders whose export sub-folders (optimum layout) may be imported; never a path a client sends. */
  importRoots: readonly string[];
  /** What GET /api/models says of each pack (name, image size, sample prompt). */
  summaries: () => Promise<readonly PackSummary[]>;
  log?: (message: string) => void;
}

/** Finished imports kept in the job list. */
const KEPT_JOBS = 20;

/** Total bytes of the files under `dir` (a missing folder is 0). */
async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await folderBytes(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

const isInside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);

/**
 * The model manager behind /api/models/*: what each pack is (from its manifest), the export
 * folders under the configured import roots, background imports with progress, and removal of
 * imported packs. Clients name exports by the `source` the server listed, never by a path.
 */
export class ModelManager {
  readonly #o: ModelManagerOptions;
  readonly #store: PackStore;
  readonly #jobs = new Map<string, ImportJob & { totalBytes: number; dir: string }>();

  constructor(options: ModelManagerOptions) {
    this.#o = options;
    this.#store = new PackStore(options.packDirs);
  }

  async packs(): Promise<PackDetails[]> {
    const managed = await realpath(this.#o.managedDir).catch(() => path.resolve(this.#o.managedDir));
    const summaries = new Map((await this.#o.summaries()).map((p) => [p.id, p]));
    const out: PackDetails[] = [];
    for (const { id, dir } of await this.#store.list()) {
      const summary = summaries.get(id);
      if (!summary) continue;
      const details = await this.#details(summary, dir, managed).catch((err: Error) => {
        this.#o.log?.(`pack ${id}: ${err.message}`);
        return undefined;
      });
      if (details) out.push(details);
    }
    return out;
  }

  async #details(summary: PackSummary, dir: string, managed: string): Promise<PackDetails> {
    const manifest = PtpManifestSchema.parse(JSON.parse(await readFile(path.join(dir, PTP_MANIFEST_FILE), 'utf8')));
    const scheduler = await readFile(path.join(dir, 'scheduler/scheduler_config.json'), 'utf8')
      .then((t) => String((JSON.parse(t) as { _class_name?: unknown })._class_name ?? 'unknown'))
      .catch(() => 'unknown');
    const layers = manifest.layers;
    const real = await realpath(dir);
    return {
      ...summary,
      scheduler,
      layers: {
        self: layers.filter((l) => l.kind === 'self').length,
        cross: layers.filter((l) => l.kind === 'cross').length,
        controlled: layers.filter((l) => l.controlled).length,
      },
      sizeBytes: await folderBytes(dir),
      removable: path.dirname(real) === managed,
    };
  }

  /** Export folders (they hold `model_index.json`) up to two levels under each import root. */
  async exports(): Promise<ExportCandidate[]> {
    const out: ExportCandidate[] = [];
    for (const [i, root] of this.#o.importRoots.entries()) {
      const walk = async (rel: string, depth: number): Promise<void> => {
        const dir = path.join(root, rel);
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        if (entries.some((e) => e.isFile() && e.name === 'model_index.json')) {
          out.push({ source: `${i}:${rel}`, name: rel || path.basename(root) });
          return;
        }
        if (depth === 0) return;
        for (const e of entries.filter((x) => x.isDirectory() && !x.name.startsWith('.')).slice(0, 200))
          await walk(path.join(rel, e.name), depth - 1);
      };
      await walk('', 2);
    }
    return out;
  }

  /** The real folder of a listed `source`, checked to lie inside its root. */
  async #exportDir(source: string): Promise<string | undefined> {
    const m = /^(\d+):(.*)$/.exec(source);
    const root = m && this.#o.importRoots[Number(m[1])];
    if (!m || !root || !(await this.exports()).some((e) => e.source === source)) return undefined;
    const [realRoot, real] = await Promise.all([realpath(root), realpath(path.join(root, m[2]!))]).catch(() => []);
    return realRoot && real && isInside(realRoot, real) ? real : undefined;
  }

  jobs(): ImportJob[] {
    return [...this.#jobs.values()].map((j) => this.#public(j));
  }

  job(id: string): ImportJob | undefined {
    const j = this.#jobs.get(id);
    return j && this.#public(j);
  }

  #public(j: ImportJob & { totalBytes: number; dir: string }): ImportJob {
    const { totalBytes: _t, dir: _d, ...job } = j;
    return job;
  }

  /** Starts importing an export into the managed folder as `id`; the job runs in the background. */
  async startImport(source: string, id: string): Promise<ApiResult<ImportJob>> {
    if (!PACK_ID.test(id)) return apiFail('BAD_REQUEST', `"${id}" is not a valid pack id`);
    const exportDir = await this.#exportDir(source);
    if (!exportDir) return apiFail('UNKNOWN_EXPORT', `no export "${source}" under the import roots`);
    if ((await this.#store.list()).some((p) => p.id === id))
      return apiFail('PACK_EXISTS', `a pack "${id}" exists already; remove it or choose another id`);
    if ([...this.#jobs.values()].some((j) => j.packId === id && j.state === 'running'))
      return apiFail('PACK_EXISTS', `pack "${id}" is being imported`);
    const job = {
      id: `imp_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      packId: id,
      source,
      state: 'running' as const,
      progress: 0,
      startedAt: new Date().toISOString(),
      totalBytes: Math.max(1, await folderBytes(exportDir)),
      dir: path.join(this.#o.managedDir, id),
    };
    this.#jobs.set(job.id, job);
    for (const old of [...this.#jobs.values()].filter((j) => j.state !== 'running').slice(0, -KEPT_JOBS))
      this.#jobs.delete(old.id);
    void this.#run(job, exportDir);
    return apiOk(this.#public(job));
  }

  async #run(job: ImportJob & { totalBytes: number; dir: string }, exportDir: string): Promise<void> {
    const update = (patch: Partial<ImportJob>) => this.#jobs.set(job.id, Object.assign(job, patch));
    // Progress: bytes written into the staging folder beside the target, over the export's bytes.
    const timer = setInterval(() => {
      void readdir(this.#o.managedDir)
        .then(async (names) => {
          const staging = names.find((n) => n.startsWith(`${job.packId}.importing-`));
          if (!staging || job.state !== 'running') return;
          const done = await folderBytes(path.join(this.#o.managedDir, staging));
          update({ progress: Math.min(0.99, done / job.totalBytes) });
        })
        .catch(() => {});
    }, 200);
    try {
      await importPack(exportDir, job.dir, { name: job.packId });
      update({ state: 'done', progress: 1, finishedAt: new Date().toISOString() });
      this.#o.log?.(`imported pack ${job.packId} from ${job.source}`);
    } catch (err) {
      const e = err as Error & { code?: string };
      update({
        state: 'failed',
        finishedAt: new Date().toISOString(),
        error: { code: e.code ?? 'IMPORT_FAILED', message: e.message },
      });
    } finally {
      clearInterval(timer);
    }
  }

  /** Removes a pack the server imported (its folder in the managed folder); bundled packs stay. */
  async remove(id: string): Promise<ApiResult<{ id: string }>> {
    const pack = (await this.packs()).find((p) => p.id === id);
    if (!pack) return apiFail('UNKNOWN_PACK', `no pack "${id}"`);
    if (!pack.removable)
      return apiFail('NOT_REMOVABLE', `pack "${id}" is not in the server's packs folder; remove it by hand`);
    await rm(path.join(await realpath(this.#o.managedDir), id), { recursive: true, force: true });
    return apiOk({ id });
  }
}
