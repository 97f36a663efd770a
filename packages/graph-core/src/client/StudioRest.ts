import {
  ApiErrorBodySchema,
  BatchCancelResultSchema,
  WaitingCancelResultSchema,
  BoardListResponseSchema,
  BoardSchema,
  GalleryResponseSchema,
  type Board,
  type GalleryQuery,
  type GalleryRef,
  type GalleryResponse,
  HealthResponseSchema,
  ImportJobSchema,
  ModelManagerResponseSchema,
  ModelsResponseSchema,
  QueueStateSchema,
  RunBatchResultSchema,
  RunDetailSchema,
  RunListResponseSchema,
  RunRecordSchema,
  UploadRecordSchema,
  WorkflowListResponseSchema,
  WorkflowRecordSchema,
  WorkflowVersionRecordSchema,
  type ApiError,
  type BatchCancelResult,
  type WaitingCancelResult,
  type HealthResponse,
  type ImportJob,
  type ModelManagerResponse,
  type StartImportRequest,
  type ModelsResponse,
  type QueueState,
  type RunBatchRequestInput,
  type RunBatchResult,
  type RunDetail,
  type RunRecord,
  type RunRequestInput,
  type RunStatus,
  type SaveWorkflowRequest,
  type UploadRecord,
  type WorkflowListResponse,
  type WorkflowRecord,
  type WorkflowVersionRecord,
} from '../api/index.js';
import { CatalogueSchema, type Catalogue } from '../catalogue.js';
import { RunEventSchema, type RunEvent } from '../events.js';
import { z } from 'zod';

/** An error answer from the studio server, with its code and where in the graph it points. */
export class StudioApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly nodeId?: string;
  readonly input?: string;
  readonly param?: string;
  readonly errors?: ApiError['errors'];
  constructor(status: number, error: ApiError) {
    super(error.message);
    this.name = 'StudioApiError';
    this.status = status;
    this.code = error.code;
    if (error.nodeId !== undefined) this.nodeId = error.nodeId;
    if (error.input !== undefined) this.input = error.input;
    if (error.param !== undefined) this.param = error.param;
    if (error.errors !== undefined) this.errors = error.errors;
  }
}

export interface StudioRestOptions {
  /** e.g. `http://127.0.0.1:8188` (no trailing path); '' for the page's own origin in a browser. */
  baseUrl: string;
  token?: string | undefined;
  fetch?: typeof fetch;
}

/**
 * The studio's REST API, typed with the wire schemas and answers validated on arrival. Works in
 * browsers and Node (global fetch); no Node built-ins.
 */
export class StudioRest {
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(options: StudioRestOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.#fetch = options.fetch ?? ((...args) => fetch(...args));
  }

  health(): Promise<HealthResponse> {
    return this.#json('GET', '/api/health', HealthResponseSchema);
  }
  nodes(): Promise<Catalogue> {
    return this.#json('GET', '/api/nodes', CatalogueSchema);
  }
  models(): Promise<ModelsResponse> {
    return this.#json('GET', '/api/models', ModelsResponseSchema);
  }
  /** The model manager: packs with their manifests, importable exports, recent imports. */
  modelManager(): Promise<ModelManagerResponse> {
    return this.#json('GET', '/api/models/manage', ModelManagerResponseSchema);
  }
  startImport(request: StartImportRequest): Promise<ImportJob> {
    return this.#json('POST', '/api/models/imports', ImportJobSchema, request);
  }
  importJob(id: string): Promise<ImportJob> {
    return this.#json('GET', `/api/models/imports/${enc(id)}`, ImportJobSchema);
  }
  async removePack(id: string): Promise<void> {
    await this.#request('DELETE', `/api/models/${enc(id)}`);
  }

  listWorkflows(
    query: { q?: string; tag?: string[]; limit?: number; offset?: number } = {},
  ): Promise<WorkflowListResponse> {
    const params = new URLSearchParams();
    if (query.q) params.set('q', query.q);
    for (const t of query.tag ?? []) params.append('tag', t);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.offset !== undefined) params.set('offset', String(query.offset));
    return this.#json('GET', `/api/workflows${params.size ? `?${params}` : ''}`, WorkflowListResponseSchema);
  }
  getWorkflow(id: string): Promise<WorkflowRecord> {
    return this.#json('GET', `/api/workflows/${enc(id)}`, WorkflowRecordSchema);
  }
  getWorkflowVersion(id: string, version: number): Promise<WorkflowVersionRecord> {
    return this.#json('GET', `/api/workflows/${enc(id)}/versions/${version}`, WorkflowVersionRecordSchema);
  }
  createWorkflow(request: SaveWorkflowRequest): Promise<WorkflowRecord> {
    return this.#json('POST', '/api/workflows', WorkflowRecordSchema, request);
  }
  updateWorkflow(id: string, request: SaveWorkflowRequest): Promise<WorkflowRecord> {
    return this.#json('PUT', `/api/workflows/${enc(id)}`, WorkflowRecordSchema, request);
  }
  async deleteWorkflow(id: string): Promise<void> {
    await this.#request('DELETE', `/api/workflows/${enc(id)}`);
  }
  /** Imports a workflow JSON text/object or a studio PNG (bytes). */
  async importWorkflow(source: Uint8Array | string | object): Promise<WorkflowRecord> {
    const png = source instanceof Uint8Array;
    const body = png ? source : typeof source === 'string' ? source : JSON.stringify(source);
    const res = await this.#request('POST', '/api/workflows/import', {
      body: body as BodyInit,
      type: png ? 'image/png' : 'application/json',
    });
    return WorkflowRecordSchema.parse(await res.json());
  }
  async exportWorkflow(id: string): Promise<unknown> {
    return (await this.#request('GET', `/api/workflows/${enc(id)}/export`)).json();
  }

  /** Queues a run over REST (the socket's `submit` also follows it). */
  submitRun(request: RunRequestInput): Promise<RunRecord> {
    return this.#json('POST', '/api/runs', RunRecordSchema, request);
  }
  /** Queues several runs in one call, all or none (see RunBatchRequestSchema). */
  submitBatch(request: RunBatchRequestInput): Promise<RunBatchResult> {
    return this.#json('POST', '/api/runs/batch', RunBatchResultSchema, request);
  }
  getRun(id: string): Promise<RunDetail> {
    return this.#json('GET', `/api/runs/${enc(id)}`, RunDetailSchema);
  }
  /** Newest first; `q` matches the name or id, `before` pages on from the last run of a page, `batch` keeps one batch. */
  async listRuns(
    query: { status?: RunStatus; limit?: number; q?: string; before?: string; batch?: string } = {},
  ): Promise<RunRecord[]> {
    const params = new URLSearchParams();
    if (query.status) params.set('status', query.status);
    if (query.batch) params.set('batch', query.batch);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.q) params.set('q', query.q);
    if (query.before) params.set('before', query.before);
    return (await this.#json('GET', `/api/runs${params.size ? `?${params}` : ''}`, RunListResponseSchema)).runs;
  }
  /** Deletes a finished run and its outputs (409 NOT_DELETABLE while queued or running). */
  async deleteRun(id: string): Promise<void> {
    await this.#request('DELETE', `/api/runs/${enc(id)}`);
  }
  async runEvents(id: string, afterSeq = -1): Promise<RunEvent[]> {
    return (
      await this.#json(
        'GET',
        `/api/runs/${enc(id)}/events?afterSeq=${afterSeq}`,
        z.object({ events: z.array(RunEventSchema) }),
      )
    ).events;
  }
  cancelRun(id: string): Promise<RunRecord> {
    return this.#json('POST', `/api/runs/${enc(id)}/cancel`, RunRecordSchema);
  }
  /** Cancels what is left of a batch in one call (404 UNKNOWN_BATCH when it has no runs). */
  cancelBatch(batchId: string): Promise<BatchCancelResult> {
    return this.#json('POST', `/api/runs/batches/${enc(batchId)}/cancel`, BatchCancelResultSchema);
  }
  /** Cancels every run waiting in the server's queue (ComfyUI's "Clear queue"); running ones go on. */
  /** No waiting run starts until resumed (the running one goes on). */
  pauseQueue(): Promise<QueueState> {
    return this.#json('POST', '/api/queue/pause', QueueStateSchema);
  }
  resumeQueue(): Promise<QueueState> {
    return this.#json('POST', '/api/queue/resume', QueueStateSchema);
  }
  cancelWaiting(): Promise<WaitingCancelResult> {
    return this.#json('POST', '/api/runs/cancel-waiting', WaitingCancelResultSchema);
  }
  resubmitRun(id: string): Promise<RunRecord> {
    return this.#json('POST', `/api/runs/${enc(id)}/resubmit`, RunRecordSchema);
  }
  /** A URL for an output (with the token in the query when there is one, for <img src>). */
  outputUrl(runId: string, name: string): string {
    return `${this.baseUrl}/api/runs/${enc(runId)}/outputs/${enc(name)}${this.token ? `?token=${enc(this.token)}` : ''}`;
  }
  async fetchOutput(runId: string, name: string): Promise<Uint8Array> {
    return new Uint8Array(
      await (await this.#request('GET', `/api/runs/${enc(runId)}/outputs/${enc(name)}`)).arrayBuffer(),
    );
  }
  /** An uploaded picture's bytes and media type (UNKNOWN_UPLOAD, a StudioApiError, when there is none). */
  async fetchUpload(id: string): Promise<{ bytes: Uint8Array; mediaType: string }> {
    const res = await this.#request('GET', `/api/uploads/${enc(id)}`);
    const mediaType = res.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream';
    return { bytes: new Uint8Array(await res.arrayBuffer()), mediaType };
  }
  async upload(bytes: Uint8Array, name: string, mediaType = 'image/png'): Promise<UploadRecord> {
    const res = await this.#request('POST', `/api/uploads?name=${enc(name)}`, {
      body: bytes as BodyInit,
      type: mediaType,
    });
    return UploadRecordSchema.parse(await res.json());
  }

  // Boards and the gallery of result pictures.
  async boards(): Promise<Board[]> {
    return (await this.#json('GET', '/api/boards', BoardListResponseSchema)).boards;
  }
  createBoard(name: string): Promise<Board> {
    return this.#json('POST', '/api/boards', BoardSchema, { name });
  }
  renameBoard(id: string, name: string): Promise<Board> {
    return this.#json('PATCH', `/api/boards/${enc(id)}`, BoardSchema, { name });
  }
  async deleteBoard(id: string): Promise<void> {
    await this.#request('DELETE', `/api/boards/${enc(id)}`);
  }
  addToBoard(id: string, picture: GalleryRef): Promise<Board> {
    return this.#json('POST', `/api/boards/${enc(id)}/items`, BoardSchema, picture);
  }
  removeFromBoard(id: string, picture: GalleryRef): Promise<Board> {
    return this.#json('POST', `/api/boards/${enc(id)}/items/remove`, BoardSchema, picture);
  }
  gallery(query: GalleryQuery = {}): Promise<GalleryResponse> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    return this.#json('GET', `/api/gallery${params.size ? `?${params}` : ''}`, GalleryResponseSchema);
  }

  async #json<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    const res = await this.#request(
      method,
      path,
      body === undefined ? undefined : { body: JSON.stringify(body), type: 'application/json' },
    );
    return schema.parse(await res.json());
  }

  async #request(method: string, path: string, body?: { body: BodyInit; type: string }): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body) headers['Content-Type'] = body.type;
    const res = await this.#fetch(`${this.baseUrl}${path}`, { method, headers, ...(body ? { body: body.body } : {}) });
    if (!res.ok) {
      const text = await res.text();
      let error: ApiError = { code: `HTTP_${res.status}`, message: text.slice(0, 500) || res.statusText };
      try {
        const parsed = ApiErrorBodySchema.safeParse(JSON.parse(text));
        if (parsed.success) error = parsed.data.error;
      } catch {
        // not JSON: keep the text
      }
      throw new StudioApiError(res.status, error);
    }
    return res;
  }
}

const enc = encodeURIComponent;
