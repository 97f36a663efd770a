import { useMemo } from 'react';
import { useReactFlow } from '@xyflow/react';
import { loadDocument, type CatalogueEntry, type RunRecord, type WorkflowDocument } from '@ptp/graph-core';
import { latestCopy, parseClipboard } from '../model/clipboard';
import { describeErrors } from '../model/errorMap';
import { EDIT_RESULT_TEMPLATE, editResultDocument, packOf, promptOfResult } from '../model/editResult';
import type { ResultImage } from '../model/runResults';
import { templateDocument } from '../model/templates';
import { exportFileName, exportJson, plainImageType, readWorkflowFile } from '../model/workflowFile';
import { imageNodeType } from '../model/uploadTarget';
import { MAX_OPENED_FILE_BYTES, tooBig } from '../model/fileLimits';
import { freeSpotInView } from '../canvas/freeSpotInView';
import type { LibraryRef } from '../model/EditorStore';
import { runActions } from './runActions';
import { useServices, type EditorServices } from './EditorContext';
import type { RunTarget } from './RunController';

const CLIPBOARD_KEY = 'ptp-studio-clipboard';
const UNTITLED = 'Untitled workflow';

export interface EditorActions {
  newWorkflow(): void;
  openTemplate(id: string, options?: { quiet?: boolean }): boolean;
  openDocument(doc: WorkflowDocument, options?: { library?: LibraryRef; saved?: boolean }): void;
  /**
   * Opens a workflow file (JSON or a studio PNG). A picture with no workflow in it is loaded
   * instead: into the Load image it was dropped on (`drop.node`), else as a new Load image at
   * `drop.at` (or the middle of the view).
   */
  openFile(file: File, drop?: { at: { x: number; y: number }; node?: string }): Promise<void>;
  /**
   * A library workflow: its latest version, or with `version` an earlier one, opened as unsaved
   * edits of the workflow (Save then makes it the latest version again).
   */
  openFromLibrary(id: string, version?: number): Promise<void>;
  /**
   * A server run's graph as it ran, with what it made (History, Gallery); asks first when edits
   * would be lost. A graph saved in the library before it ran stays that workflow: Save makes it
   * the latest version, as for an earlier version opened from Open….
   */
  openRunGraph(doc: WorkflowDocument, run: RunRecord, from: 'history' | 'gallery'): Promise<void>;
  /**
   * Opens the real-image edit on picture `index` of a result (uploaded like any picture), inverted
   * under the prompt it was made from: editing a result further, turn after turn. `from` is the
   * graph that made it when that is not the open one.
   */
  editResult(image: ResultImage, index: number, from?: WorkflowDocument): Promise<void>;
  exportJson(): void;
  save(asNew?: boolean): Promise<void>;
  /** `front`: on the server, ahead of the runs waiting there. */
  run(target: RunTarget, targets?: string[], options?: { front?: boolean }): Promise<void>;
  /** While a run goes on: the graph as it is now, queued on the server behind it (History follows it). */
  queue(): Promise<void>;
  cancel(): void;
  undo(): void;
  redo(): void;
  copy(): void;
  /**
   * Ctrl+V: nodes copied in the studio (at `pointer`, the mouse in client pixels, when it is over
   * the canvas, as ComfyUI pastes), or a whole workflow JSON (opened), or says why not.
   */
  paste(text?: string, pointer?: { x: number; y: number }, withInputs?: boolean): void;
  deleteSelection(): void;
}

/** Everything the toolbar, shortcuts and drops do, in one place. */
export function useEditorActions(): EditorActions {
  const services = useServices();
  const rf = useReactFlow();
  return useMemo(
    () =>
      createEditorActions(
        services,
        () => void rf.fitView({ padding: 0.05, maxZoom: 1, duration: 0 }),
        (client) => rf.screenToFlowPosition(client),
      ),
    [services, rf],
  );
}

/** What every group of actions shares: the services, the discard prompt, the view and the URL hash. */
export interface ActionKit {
  services: EditorServices;
  confirmDiscard(): boolean;
  setHash(hash: string): void;
  openDocument: EditorActions['openDocument'];
  /** A point in client pixels as a canvas position, when it lies over the canvas. */
  onCanvas(client: { x: number; y: number }): { x: number; y: number } | undefined;
  /** Where a node of `entry` added without a drop point goes (freeSpotInView). */
  freeSpot(entry?: CatalogueEntry): { x: number; y: number };
}

function createEditorActions(
  services: EditorServices,
  fitView: () => void,
  toFlow: (client: { x: number; y: number }) => { x: number; y: number },
): EditorActions {
  const { store, runs } = services;
  const setHash = (hash: string) => history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  const kit: ActionKit = {
    services,
    confirmDiscard: () => !store.getState().dirty || window.confirm('Discard the unsaved changes of this workflow?'),
    setHash,
    openDocument: (doc, options = {}) => {
      runs.clear();
      store.load(doc, options);
      if (!options.library) setHash('');
      // Not on an empty document: React Flow keeps a fit asked for with no nodes until the first one
      // comes, and would then move the view away from where the user just put it.
      if (doc.nodes.length) requestAnimationFrame(fitView);
    },
    onCanvas(client) {
      const box = document.querySelector('.react-flow')?.getBoundingClientRect();
      const inside =
        box && client.x >= box.left && client.x <= box.right && client.y >= box.top && client.y <= box.bottom;
      return inside ? toFlow(client) : undefined;
    },
    freeSpot: (entry) => freeSpotInView(toFlow, store.getState(), entry),
  };
  return { ...documentActions(kit), ...libraryActions(kit), ...runActions(kit), ...editActions(kit) };
}

/** New, templates, files and export. */
function documentActions(
  kit: ActionKit,
): Pick<
  EditorActions,
  'newWorkflow' | 'openTemplate' | 'openDocument' | 'openFile' | 'exportJson' | 'editResult' | 'openRunGraph'
> {
  const { store, runs, server, notify } = kit.services;
  const { confirmDiscard, setHash, openDocument } = kit;
  return {
    newWorkflow() {
      if (!confirmDiscard()) return;
      runs.clear();
      store.newDocument();
      setHash('');
    },
    openTemplate(id, options = {}) {
      const doc = templateDocument(id);
      if (!doc) return false;
      if (!confirmDiscard()) return true;
      // A template opens as a new, unsaved workflow (saving it never overwrites the preset), and the
      // user's copy is not one of the shipped examples: it loses that tag, keeps the others.
      doc.metadata.tags = doc.metadata.tags.filter((t) => t !== 'example');
      openDocument(doc, { saved: true });
      if (!options.quiet) notify('info', `Opened template “${doc.metadata.name}”`, 'template-opened');
      return true;
    },
    openDocument,
    async openRunGraph(doc, run, from) {
      if (!confirmDiscard()) return;
      // Deleted since, or from another server's library: then it opens as a new workflow.
      const saved = doc.id && server ? await server.getWorkflow(doc.id).catch(() => undefined) : undefined;
      openDocument(doc, { saved: false, ...(saved ? { library: { id: saved.id, version: saved.version } } : {}) });
      if (saved) setHash(`#/workflow/${encodeURIComponent(saved.id)}`);
      void runs.showServerRun(run, doc);
      notify(
        'info',
        `Opened the graph of “${run.name}” as it ran, with what it made${saved ? `: Save makes it the latest version of “${saved.name}”` : ''}`,
        `${from}-opened`,
      );
    },
    async editResult(image, index, from) {
      const template = templateDocument(EDIT_RESULT_TEMPLATE);
      if (!template) return;
      // The graph the picture came from: the open one, or a run's (from the gallery).
      const current = from ?? store.document();
      if (!confirmDiscard()) return;
      let upload: string;
      try {
        // A copy, so the Blob owns a plain ArrayBuffer.
        const bytes = new Uint8Array(image.bytes ?? (await (await fetch(image.url!)).arrayBuffer()));
        upload = await kit.services.uploadImage(new File([bytes], image.name, { type: image.mime || 'image/png' }));
      } catch (err) {
        notify('error', `Could not take ${image.name} for editing: ${(err as Error).message}`, 'edit-result-failed');
        return;
      }
      const prompt = promptOfResult(current, index);
      const pack = packOf(current);
      const name = current.metadata.name || UNTITLED;
      openDocument(
        editResultDocument(template, { upload, name, ...(prompt ? { prompt } : {}), ...(pack ? { pack } : {}) }),
        {
          saved: false,
        },
      );
      notify('info', `Editing ${image.name} further: change a word of the target prompt, then Run.`, 'edit-result');
    },
    async openFile(file, drop) {
      const big = tooBig(file, MAX_OPENED_FILE_BYTES);
      if (big) {
        notify('error', `Could not open ${file.name}: ${big}`, 'open-failed');
        return;
      }
      const bytes = new Uint8Array(await file.arrayBuffer());
      const mediaType = plainImageType(bytes);
      if (mediaType) return placeImage(kit, new File([bytes], file.name, { type: mediaType }), drop);
      const loaded = readWorkflowFile(bytes, store.registry);
      if (!loaded.ok) {
        notify('error', `Could not open ${file.name}: ${describeErrors(loaded.errors)}`, 'open-failed');
        return;
      }
      if (!confirmDiscard()) return;
      const doc = loaded.value;
      // A workflow that was never named takes the file's name (what the user knows it by).
      if (doc.metadata.name === UNTITLED) doc.metadata.name = file.name.replace(/\.(json|png)$/i, '') || UNTITLED;
      openDocument(doc, { saved: false });
      notify('success', `Opened “${doc.metadata.name}” from ${file.name}`, 'file-opened');
    },
    exportJson() {
      const doc = store.document();
      const url = URL.createObjectURL(new Blob([exportJson(doc)], { type: 'application/json' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: exportFileName(doc.metadata.name) });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  };
}

/** A picture opened or dropped: uploaded, then into a Load image (EditorStore.placeUpload). */
async function placeImage(
  kit: ActionKit,
  file: File,
  drop?: { at: { x: number; y: number }; node?: string },
): Promise<void> {
  const { store, notify, uploadImage } = kit.services;
  const entry = imageNodeType(store.getState().index);
  if (!entry) {
    notify('error', `${file.name} is a picture, and no node here loads pictures`, 'open-failed');
    return;
  }
  let upload: string;
  try {
    upload = await uploadImage(file);
  } catch (err) {
    notify('error', `Upload of ${file.name} failed: ${(err as Error).message}`, 'upload-failed');
    return;
  }
  // On an empty canvas a picture most likely is one to edit: the real-image edit, ready to run on it.
  const template = templateDocument(EDIT_RESULT_TEMPLATE);
  const { graph, scope } = store.getState();
  if (template && !graph.nodes.length && !scope) {
    const name = file.name.replace(/\.(png|jpe?g|webp)$/i, '') || file.name;
    const description = `Edits the picture ${file.name}: it is inverted under the source prompt, which should describe it; change a word of the target prompt and run.`;
    kit.openDocument(editResultDocument(template, { upload, name, description }), { saved: false });
    notify(
      'success',
      `Opened the real-image edit on ${file.name}: describe the picture in the source prompt, change a word of the target, then Run.`,
      'image-opened',
    );
    return;
  }
  const placed = store.placeUpload(upload, drop?.at ?? kit.freeSpot(entry), drop?.node);
  if (!placed) return;
  notify(
    'success',
    placed.added
      ? `Added ${entry.title} with ${file.name}: link its image where the picture should go`
      : `${entry.title} now uses ${file.name}`,
    'image-placed',
  );
}

/** Opening from and saving to the server's workflow library. */
function libraryActions(kit: ActionKit): Pick<EditorActions, 'openFromLibrary' | 'save'> {
  const { store, server, notify } = kit.services;
  const { confirmDiscard, setHash, openDocument } = kit;
  return {
    async openFromLibrary(id, version) {
      if (!server) return;
      if (!confirmDiscard()) return;
      try {
        const record = await server.getWorkflow(id);
        const old = version !== undefined && version !== record.version;
        const doc = old ? (await server.getWorkflowVersion(id, version)).document : record.document;
        openDocument(doc, { library: { id: record.id, version: record.version }, ...(old ? { saved: false } : {}) });
        setHash(`#/workflow/${encodeURIComponent(record.id)}`);
        notify(
          'info',
          old
            ? `Opened “${record.name}” as it was at v${version} (the latest is v${record.version}): Save makes it the latest`
            : `Opened “${record.name}” v${record.version}`,
          'library-opened',
        );
      } catch (err) {
        notify('error', `Could not open workflow ${id}: ${(err as Error).message}`, 'open-failed');
      }
    },
    async save(asNew = false) {
      if (!server) {
        notify('error', 'No studio server: use Export to keep this workflow as a JSON file.', 'save-failed');
        return;
      }
      const library = store.getState().library;
      if (asNew) {
        // A copy gets its own name (ComfyUI's Save As), so the library's entries can be told apart.
        const current = store.getState().graph.metadata.name;
        const name = await kit.services.ask({
          title: 'Save as new',
          label: 'Name of the new workflow',
          initial: `${current} (copy)`,
          confirm: 'Save',
        });
        if (name === undefined) return;
        if (name && name !== current) store.setMetadata({ name });
      }
      const doc = store.document();
      try {
        const record =
          library && !asNew
            ? await server.updateWorkflow(library.id, { document: doc, baseVersion: library.version })
            : await server.createWorkflow({ document: { ...doc, id: undefined } });
        store.markSaved({ id: record.id, version: record.version });
        setHash(`#/workflow/${encodeURIComponent(record.id)}`);
        notify('success', `Saved “${record.name}” (version ${record.version})`, 'saved');
      } catch (err) {
        const e = err as Error & { code?: string };
        notify(
          'error',
          e.code === 'CONFLICT'
            ? 'This workflow was saved elsewhere since you opened it: use “Save as new”, or reopen it.'
            : `Save failed: ${e.message}`,
          'save-failed',
        );
      }
    },
  };
}

/** Undo, redo, the clipboard and deleting. */
function editActions({
  services: { store, notify },
  confirmDiscard,
  openDocument,
  onCanvas,
}: ActionKit): Pick<EditorActions, 'undo' | 'redo' | 'copy' | 'paste' | 'deleteSelection'> {
  return {
    undo: () => void store.undo(),
    redo: () => void store.redo(),
    copy() {
      const copied = store.copySelection();
      if (!copied) return;
      const payload = { ...copied, copiedAt: Date.now() };
      const text = JSON.stringify(payload);
      // localStorage carries it to other tabs of the studio; the system clipboard when allowed.
      localStorage.setItem(CLIPBOARD_KEY, text);
      void navigator.clipboard?.writeText(text).catch(() => {});
      notify('info', `Copied ${payload.nodes.length} node${payload.nodes.length > 1 ? 's' : ''}`, 'copied');
    },
    paste(text, pointer, withInputs) {
      const pasted = text?.trim() ?? '';
      // The system clipboard's nodes or what this studio copied last, whichever is later; other
      // text in the clipboard (a workflow JSON, words) is what the user means to paste.
      const nodes =
        pasted && !parseClipboard(pasted) ? undefined : latestCopy(pasted, localStorage.getItem(CLIPBOARD_KEY) ?? '');
      if (nodes) {
        const at = pointer && onCanvas(pointer);
        store.paste(nodes, at, withInputs);
        return;
      }
      if (!pasted) return;
      if (!pasted.startsWith('{')) {
        notify('info', 'Nothing to paste: the clipboard holds text, not studio nodes or a workflow JSON.', 'paste');
        return;
      }
      const loaded = loadDocument(pasted, { registry: store.registry });
      if (!loaded.ok) {
        notify('error', `The pasted JSON is not a workflow: ${describeErrors(loaded.errors)}`, 'paste-failed');
        return;
      }
      if (!confirmDiscard()) return;
      openDocument(loaded.value, { saved: false });
      notify('success', `Opened “${loaded.value.metadata.name}” from the clipboard`, 'paste-opened');
    },
    deleteSelection: () => store.deleteSelection(),
  };
}
