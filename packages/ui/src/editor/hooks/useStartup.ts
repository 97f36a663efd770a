import { useEffect, useRef } from 'react';
import type { WorkflowDocument } from '@ptp/graph-core';
import type { ServerConnection } from '../services/connectServer';
import { useServices } from '../services/EditorContext';
import type { EditorActions } from '../services/useEditorActions';
import { keepDraft, readDraft } from '../services/draft';
import { isRunActive } from '../model/runStatus';

/** What a first open shows: a runnable edit of the default pack, as ComfyUI opens with its default graph. */
const DEFAULT_TEMPLATE = 'word-swap';
/** The server run this tab follows (per tab: a reload follows it again). */
export const ACTIVE_RUN_KEY = 'ptp-studio-active-run';

/**
 * What the page opens with: ?template=ID, #/workflow/ID (library), #/template/ID, ?new (empty),
 * else the workflow it had open (kept in this browser, unsaved edits too), else the default template.
 * It keeps that draft as it changes, and follows again a server run a reload left running.
 */
export function useStartup(ready: boolean, server: ServerConnection | undefined, actions: EditorActions): void {
  const { store, runs, notify } = useServices();
  const started = useRef(false);

  useEffect(() => {
    if (!ready || started.current) return;
    started.current = true;
    const query = new URLSearchParams(location.search);
    const hash = /^#\/(workflow|template)\/(.+)$/.exec(location.hash);
    const draft = readDraft(localStorage, store.registry);
    const reopen = (what: string) => {
      actions.openDocument(draft!.document, {
        saved: !draft!.dirty,
        ...(draft!.library && server ? { library: draft!.library } : {}),
      });
      notify('info', what, 'draft-restored');
    };
    if (hash?.[1] === 'workflow' && server) {
      const id = decodeURIComponent(hash[2]!);
      if (draft?.dirty && draft.library?.id === id)
        reopen(`Reopened “${draft.document.metadata.name}” with the edits you had not saved`);
      else void actions.openFromLibrary(id);
    } else if (hash?.[1] === 'template' || query.get('template')) {
      const id = hash?.[1] === 'template' ? decodeURIComponent(hash[2]!) : query.get('template')!;
      if (!actions.openTemplate(id))
        notify('error', `There is no template “${id.slice(0, 80)}”: open one from Templates.`, 'template-unknown');
    } else if (query.has('new')) {
      // An empty canvas, as asked.
    } else if (draft) reopen(`Reopened “${draft.document.metadata.name}”, the workflow you had open`);
    else actions.openTemplate(DEFAULT_TEMPLATE, { quiet: true });

    // The address asked for a document once: a reload now reopens what the user made of it.
    if (query.has('template') || query.has('new')) {
      query.delete('template');
      query.delete('new');
      const rest = query.toString();
      history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
    }

    const runId = sessionStorage.getItem(ACTIVE_RUN_KEY);
    if (runId && server) void follow(runId);
    async function follow(runId: string) {
      const run = await server!.client.getRun(runId).catch(() => undefined);
      if (!run || (run.status !== 'queued' && run.status !== 'running')) {
        sessionStorage.removeItem(ACTIVE_RUN_KEY);
        return;
      }
      notify('info', `Following “${run.name}”, still running on the server`, 'run-followed');
      const nodes = store.getState().graph.nodes.map((n) => n.id);
      const view = await runs.attach(runId, run.workflow as unknown as WorkflowDocument, {
        nodes,
        prefix: store.canvasPrefix,
      });
      if (view.phase === 'error') notify('error', `Run failed: ${view.errors[0]?.message ?? ''}`, 'run-failed');
    }
  }, [ready, server, actions, notify, store, runs]);

  // The workflow is kept as it changes (a reload or a crash loses nothing).
  useEffect(() => keepDraft(store, localStorage), [store]);

  // The server run under way, so a reload follows it again.
  useEffect(
    () =>
      runs.subscribe(() => {
        const { view } = runs.getState();
        if (isRunActive(view) && view.target === 'server' && view.runId)
          sessionStorage.setItem(ACTIVE_RUN_KEY, view.runId);
        else if (!isRunActive(view)) sessionStorage.removeItem(ACTIVE_RUN_KEY);
      }),
    [runs],
  );
}
