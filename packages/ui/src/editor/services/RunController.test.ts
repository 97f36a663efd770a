import type { RunEvent, WorkflowDocument } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import type { Runner, RunnerResult } from '../../runtime/Runner';
import { RunController } from './RunController';

const doc = { schemaVersion: 3, nodes: [{ id: 'save', type: 'ptp.saveImage', params: {} }], edges: [] };

/**
 * A runner that sends a run's events at once and settles only when told, as the server does when
 * it fetches the outputs after the last event. A double: the test is about the controller's
 * ordering, not about running graphs.
 */
function gatedRunner(pixel: number) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const runner: Runner = {
    kind: 'browser',
    dispose() {},
    async run(_doc, options) {
      const base = { runId: `r${pixel}`, time: 0 };
      const events: RunEvent[] = [
        { type: 'run_started', ...base, seq: 0, nodes: ['save'], cached: [], targets: ['save'] },
        { type: 'node_executed', ...base, seq: 1, nodeId: 'save', durationMs: 1, summary: undefined },
        { type: 'success', ...base, seq: 2, executed: ['save'], cached: [], durationMs: 2 },
      ];
      for (const e of events) options?.onEvent?.(e);
      await gate;
      const result: RunnerResult = {
        runId: base.runId,
        status: 'success',
        files: [{ nodeId: 'save', name: 'save.png', mime: 'image/png', data: new Uint8Array([pixel]) }],
        executed: ['save'],
        cached: [],
        errors: [],
      };
      return result;
    },
  };
  return { runner, open };
}

describe('RunController', () => {
  it('shows "success" only together with the run\'s own results, never beside the previous run\'s', async () => {
    const runs = [gatedRunner(1), gatedRunner(2)];
    let next = 0;
    const controller = new RunController({ browser: async () => runs[next++]!.runner });
    const seen: { phase: string; serial: number | undefined }[] = [];
    controller.subscribe(() => {
      const s = controller.getState();
      seen.push({ phase: s.view.phase, serial: s.results.get('save')?.runSerial });
    });

    for (const [i, r] of runs.entries()) {
      const done = controller.run(doc as unknown as WorkflowDocument, 'wasm');
      await new Promise((t) => setTimeout(t, 10));
      // Every event is in, the results are not: still running.
      expect(controller.getState().view.phase).toBe('running');
      r.open();
      expect((await done).phase).toBe('success');
      expect(controller.getState().results.get('save')?.runSerial).toBe(i + 1);
    }
    // Whenever the phase read success, the results shown were that run's.
    expect(seen.filter((s) => s.phase === 'success').map((s) => s.serial)).toEqual([1, 2]);
  });
});
