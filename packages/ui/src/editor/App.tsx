import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './editor.css';
import { indexCatalogue } from './model/catalogueIndex';
import { editorRegistry, localCatalogue } from './model/catalogueRegistry';
import { EditorStore } from './model/EditorStore';
import { Canvas } from './canvas/Canvas';
import { useAutoRun } from './hooks/useAutoRun';
import { useShortcuts } from './hooks/useShortcuts';
import { useStartup } from './hooks/useStartup';
import { isRunActive } from './model/runStatus';
import { BatchDialog } from './panels/BatchDialog';
import { GalleryDialog } from './panels/GalleryDialog';
import { HistoryDialog } from './panels/HistoryDialog';
import { KeysDialog } from './panels/KeysDialog';
import { AskDialog, type Question } from './panels/AskDialog';
import { LibraryDialog } from './panels/LibraryDialog';
import { ModelsDialog } from './panels/ModelsDialog';
import { Notices } from './panels/Notices';
import { Palette } from './panels/Palette';
import { ResultsPanel } from './panels/ResultsPanel';
import { TemplatesGallery } from './panels/TemplatesGallery';
import { Toolbar } from './panels/Toolbar';
import { connectServer, type ServerConnection } from './services/connectServer';
import {
  EditorContext,
  useServices,
  type EditorServices,
  type Notice,
  type NoticeKind,
} from './services/EditorContext';
import { createBrowserRunner, nodePackageModules, uploadId } from './services/createBrowserRunner';
import { RunController, RUN_TARGETS, type RunTarget } from './services/RunController';
import { listPacks, samplePrompt } from './services/samplePrompt';
import { useEditorActions } from './services/useEditorActions';
import { UploadPreviews } from './services/UploadPreviews';
import { MAX_UPLOAD_BYTES, tooBig } from './model/fileLimits';

const NOTICE_MS = 8000;

const TARGET_KEY = 'ptp-studio-run-target';
/**
 * Where runs go: `?run=` first, then this browser's last choice, then the server when the page
 * came from one (it is the fast path; software WebGPU can be hundreds of times slower).
 */
function defaultTarget(server: ServerConnection | undefined): RunTarget {
  const usable = (t: string | null): t is RunTarget =>
    (RUN_TARGETS as readonly string[]).includes(t ?? '') && (t !== 'server' || Boolean(server));
  const wanted = new URLSearchParams(location.search).get('run');
  if (usable(wanted)) return wanted;
  const remembered = localStorage.getItem(TARGET_KEY);
  if (usable(remembered)) return remembered;
  return server ? 'server' : 'browser';
}

/** The editor once services exist: layout, startup document, shortcuts. */
function Shell({ ready, server }: { ready: boolean; server: ServerConnection | undefined }) {
  const actions = useEditorActions();
  const { store, runs } = useServices();
  const [target, setTargetState] = useState<RunTarget>('browser');
  const setTarget = useCallback((t: RunTarget) => {
    setTargetState(t);
    localStorage.setItem(TARGET_KEY, t);
  }, []);
  const [dialog, setDialog] = useState<
    'templates' | 'library' | 'history' | 'models' | 'gallery' | 'batch' | 'keys' | undefined
  >();
  // Ctrl+Enter runs, or while a run goes on queues another on the server (ComfyUI's queue key);
  // Ctrl+Shift+Enter runs ahead of the server's queue (ComfyUI's queue front).
  useShortcuts(actions, store, {
    run: (front) => {
      if (front && target === 'server') void actions.run(target, undefined, { front: true });
      else if (isRunActive(runs.getState().view) && server) void actions.queue();
      else void actions.run(target);
    },
    help: () => setDialog('keys'),
  });

  const [autoRun, setAutoRun] = useAutoRun(() => void actions.run(target));
  useStartup(ready, server, actions);
  useEffect(() => {
    if (ready) setTargetState(defaultTarget(server));
  }, [ready, server]);

  // An edit makes the last run's errors describe another graph: validation shows what still holds.
  useEffect(() => store.onEdit(() => runs.forgetErrors()), [store, runs]);

  return (
    <div
      className="editor"
      data-testid="app"
      data-ready={ready ? 'true' : 'false'}
      data-server={server ? 'true' : 'false'}
    >
      <Toolbar
        actions={actions}
        target={target}
        onTarget={setTarget}
        onTemplates={() => setDialog('templates')}
        onLibrary={() => setDialog('library')}
        onHistory={() => setDialog('history')}
        onGallery={() => setDialog('gallery')}
        onModels={() => setDialog('models')}
        onBatch={() => setDialog('batch')}
        onKeys={() => setDialog('keys')}
        browserRunner
        autoRun={autoRun}
        onAutoRun={setAutoRun}
      />
      <div className="workspace">
        <Palette />
        <Canvas
          onDropFile={(f, drop) => void actions.openFile(f, drop)}
          onRunTo={(ids) => void actions.run(target, ids)}
        />
        <ResultsPanel
          onRerun={(targets) => void actions.run(target, targets)}
          onEditResult={(image, index) => void actions.editResult(image, index)}
        />
      </div>
      {dialog === 'templates' && (
        <TemplatesGallery
          onClose={() => setDialog(undefined)}
          onOpen={(id) => {
            setDialog(undefined);
            actions.openTemplate(id);
          }}
        />
      )}
      {dialog === 'models' && <ModelsDialog onClose={() => setDialog(undefined)} />}
      {dialog === 'keys' && <KeysDialog onClose={() => setDialog(undefined)} />}
      {dialog === 'batch' && <BatchDialog onClose={() => setDialog(undefined)} onQueued={() => setDialog('history')} />}
      {dialog === 'history' && (
        <HistoryDialog
          onClose={() => setDialog(undefined)}
          onOpenGraph={(doc, run) => {
            setDialog(undefined);
            void actions.openRunGraph(doc, run, 'history');
          }}
        />
      )}
      {dialog === 'gallery' && (
        <GalleryDialog
          onClose={() => setDialog(undefined)}
          onOpenGraph={(doc, run) => {
            setDialog(undefined);
            void actions.openRunGraph(doc, run, 'gallery');
          }}
          onEditPicture={(picture, index, doc) => {
            setDialog(undefined);
            void actions.editResult(picture, index, doc);
          }}
        />
      )}
      {dialog === 'library' && (
        <LibraryDialog
          onClose={() => setDialog(undefined)}
          onOpen={(id, version) => {
            setDialog(undefined);
            void actions.openFromLibrary(id, version);
          }}
        />
      )}
    </div>
  );
}

/**
 * PtP Studio's editor: a React Flow canvas over the graph-core document, running graphs in the
 * page (engine in a Web Worker on onnxruntime-web) or on the studio server, chosen per run.
 * Works without a server (catalogue built in the page); a server adds the library and server runs.
 */
export function App() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const notify = useCallback((kind: NoticeKind, text: string, tag?: string) => {
    const id = nextId.current++;
    setNotices((list) => [...list.slice(-4), { id, kind, text, ...(tag ? { tag } : {}) }]);
    setTimeout(() => setNotices((list) => list.filter((n) => n.id !== id)), NOTICE_MS);
  }, []);
  const store = useMemo(
    () => new EditorStore({ index: indexCatalogue(localCatalogue()), registry: editorRegistry() }),
    [],
  );
  const [server, setServer] = useState<ServerConnection | undefined>();
  const [ready, setReady] = useState(false);
  // The question being asked in the page (EditorServices.ask), with whom to tell the answer.
  const [asking, setAsking] = useState<{ question: Question; answer(text: string | undefined): void }>();
  const ask = useCallback(
    (question: Question) =>
      new Promise<string | undefined>((resolve) => {
        setAsking((previous) => {
          previous?.answer(undefined);
          return {
            question,
            answer: (text) => {
              setAsking(undefined);
              resolve(text);
            },
          };
        });
      }),
    [],
  );

  useEffect(() => {
    let live = true;
    void connectServer().then((conn) => {
      if (!live) return;
      if (conn) {
        // The server's catalogue may list node types this page does not bundle (its plugins).
        store.setCatalogue(indexCatalogue(conn.catalogue), editorRegistry(conn.catalogue));
        setServer(conn);
        // A broken node package was skipped by the server: say so once, the rest of the studio works.
        for (const p of conn.catalogue.packageProblems ?? [])
          notify(
            'error',
            `Node package ${p.package}${p.nodeType ? ` (${p.nodeType})` : ''} skipped: ${p.message}`,
            'node-package-problem',
          );
      }
      setReady(true);
      void listPacks(conn?.client).then(async (packs) => {
        if (!live) return;
        // Load model offers the packs there are, and one naming a missing pack is marked before a run.
        store.setPacks(packs?.map((p) => p.id));
        // New Prompt nodes start with a caption the default pack can draw.
        const text = await samplePrompt(store.index, packs, Boolean(conn));
        if (live && text) store.setNodeDefaults('ptp.prompt', { text });
      });
    });
    return () => {
      live = false;
    };
  }, [store, notify]);

  // A read-only handle for the browser tests, the bench and debugging from the console.
  useEffect(() => {
    (window as unknown as { ptpEditor: unknown }).ptpEditor = {
      document: () => store.document(),
      state: () => store.getState(),
      arrange: (maxHeight?: number) => store.arrange(maxHeight),
    };
  }, [store]);

  // The browser runtime imports the server's node packages, so their types run in the page too.
  const browser = useMemo(
    () =>
      createBrowserRunner(
        () => server?.client.token,
        () => (server ? nodePackageModules(server.catalogue, server.client.baseUrl, document.baseURI) : []),
      ),
    [server],
  );
  const runs = useMemo(
    () => new RunController({ browser, ...(server ? { server: server.client } : {}) }),
    [browser, server],
  );
  const previews = useMemo(
    () => new UploadPreviews(server ? (id) => server.client.fetchUpload(id) : undefined),
    [server],
  );
  const services = useMemo<EditorServices>(
    () => ({
      store,
      runs,
      server: server?.client,
      notify,
      ask,
      async uploadImage(file) {
        const big = tooBig(file, MAX_UPLOAD_BYTES);
        if (big) throw new Error(big);
        const bytes = new Uint8Array(await file.arrayBuffer());
        const mediaType = file.type || 'image/png';
        // On a server the upload is stored there (both runners read it back); without one the page's runner keeps it.
        const id = server ? (await server.client.upload(bytes, file.name, mediaType)).id : await uploadId(bytes);
        if (!server) (await browser()).addUploads([{ id, name: file.name, mediaType, bytes }]);
        previews.add(id, bytes, mediaType);
        return id;
      },
      uploadPreview: (id) => previews.url(id),
    }),
    [store, runs, server, notify, ask, browser, previews],
  );

  return (
    <EditorContext.Provider value={services}>
      <ReactFlowProvider>
        <Shell ready={ready} server={server} />
      </ReactFlowProvider>
      {asking && <AskDialog question={asking.question} onAnswer={asking.answer} />}
      <Notices notices={notices} onDismiss={(id) => setNotices((list) => list.filter((n) => n.id !== id))} />
    </EditorContext.Provider>
  );
}
