import { describeErrors } from '../model/errorMap';
import type { ActionKit, EditorActions } from './useEditorActions';

/** Run, queue and cancel. */
export function runActions({
  services: { store, runs, server, notify },
}: ActionKit): Pick<EditorActions, 'run' | 'queue' | 'cancel'> {
  /** Whether the open graph may run (targets: flattened ids), saying why not. */
  const runnable = (targets?: string[]): boolean => {
    const { problems, graph } = store.getState();
    if (!graph.nodes.length) {
      notify(
        'info',
        'The canvas is empty: open a template, drop a studio PNG or workflow JSON, or add nodes from the palette.',
        'run-empty',
      );
      return false;
    }
    if (problems.errorCount === 0) return true;
    // As the server decides (ComfyUI's rule): problems where no output needs them do not stop a run.
    const blocking = store.runBlockers(targets).length;
    if (blocking > 0) {
      notify('error', `Fix ${blocking} problem${blocking > 1 ? 's' : ''} first (marked on the nodes).`, 'run-blocked');
      return false;
    }
    notify(
      'info',
      `Running the outputs that can run: ${problems.errorCount} problem${problems.errorCount > 1 ? 's are' : ' is'} on nodes no output needs.`,
      'run-partial',
    );
    return true;
  };
  return {
    async run(target, targets, options) {
      // Inside an open block the canvas shows its inner nodes: ids there are flattened ids' tails.
      const prefix = store.canvasPrefix;
      if (!runnable(targets?.map((t) => prefix + t))) return;
      const nodes = store.getState().graph.nodes.map((n) => n.id);
      runs.prune(new Set(nodes));
      const view = await runs.run(store.document(), target, {
        ...(targets ? { targets: targets.map((t) => prefix + t) } : {}),
        canvas: { nodes, prefix },
        ...(options?.front ? { front: true } : {}),
      });
      if (view.phase === 'error') notify('error', `Run failed: ${describeErrors(view.errors)}`, 'run-failed');
      else if (view.phase === 'interrupted') notify('info', 'Run cancelled', 'run-cancelled');
    },
    async queue() {
      if (!server || !runnable()) return;
      const doc = store.document();
      try {
        const run = await server.submitRun({
          workflow: doc,
          clientRequestId: `editor-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        });
        notify('success', `Queued “${run.name}” behind the run going on: History follows it`, 'run-queued');
      } catch (err) {
        notify('error', `Could not queue it: ${(err as Error).message}`, 'run-failed');
      }
    },
    cancel: () => runs.cancel(),
  };
}
