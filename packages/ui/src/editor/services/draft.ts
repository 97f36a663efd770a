import { loadDocument, type NodeRegistry, type WorkflowDocument } from '@ptp/graph-core';
import { z } from 'zod';
import type { EditorStore, LibraryRef } from '../model/EditorStore';

/** Where the open workflow is kept between page loads (this browser; ComfyUI keeps its graph so too). */
export const DRAFT_KEY = 'ptp-studio-draft';

/** The stored draft: the document as JSON text (loaded, and so migrated, when read), its library entry. */
export const DraftSchema = z.object({
  version: z.literal(1),
  document: z.string().max(4_000_000),
  library: z.object({ id: z.string().max(200), version: z.number().int().min(1) }).optional(),
  dirty: z.boolean(),
});
export type Draft = z.infer<typeof DraftSchema>;

/** What the page can reopen: the document, its library entry, and whether it had unsaved edits. */
export interface OpenDraft {
  document: WorkflowDocument;
  library?: LibraryRef;
  dirty: boolean;
}

/** The draft kept in `storage`, checked like any opened workflow; undefined when there is none or it is bad. */
export function readDraft(storage: Storage, registry: NodeRegistry): OpenDraft | undefined {
  try {
    const parsed = DraftSchema.safeParse(JSON.parse(storage.getItem(DRAFT_KEY) ?? 'null'));
    if (!parsed.success) return undefined;
    const loaded = loadDocument(parsed.data.document, { registry });
    if (!loaded.ok || !loaded.value.nodes.length) return undefined;
    return {
      document: loaded.value,
      ...(parsed.data.library ? { library: parsed.data.library } : {}),
      dirty: parsed.data.dirty,
    };
  } catch {
    return undefined;
  }
}

/**
 * Keeps the store's workflow in `storage` a moment after each change, so a reload (or a crash) loses
 * nothing; returns the function that stops. A draft too big for the storage is left as it was.
 */
export function keepDraft(store: EditorStore, storage: Storage, delayMs = 400): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const shown = () => {
    const { graph, dirty, library } = store.getState();
    return [graph, dirty, library] as const;
  };
  let last = shown();
  const write = () => {
    timer = undefined;
    const { library, dirty } = store.getState();
    const draft: Draft = {
      version: 1,
      document: JSON.stringify(store.document()),
      dirty,
      ...(library ? { library } : {}),
    };
    try {
      storage.setItem(DRAFT_KEY, JSON.stringify(draft));
    } catch {
      // Over the storage quota: the last draft that fitted stays.
    }
  };
  const stop = store.subscribe(() => {
    // The graph, or whether it is saved and as what (a Save changes no graph but must be kept).
    const now = shown();
    if (now.every((x, i) => x === last[i])) return;
    last = now;
    if (timer === undefined) timer = setTimeout(write, delayMs);
  });
  return () => {
    stop();
    if (timer !== undefined) {
      clearTimeout(timer);
      write();
    }
  };
}
