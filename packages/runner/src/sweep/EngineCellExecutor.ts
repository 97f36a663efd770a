import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  Engine,
  errorPlace,
  flattenSubgraphs,
  type NodeRegistry,
  type RunResources,
  type WorkflowDocument,
} from '@ptp/graph-core';
import type { InferenceBackend, MetricsValue, OutputFile } from '@ptp/nodes';
import { setParam } from '../workflowParams.js';
import type { CellExecutor } from './runSweep.js';
import { columnOf, SweepSpecError, type Assignment, type SweepCell } from './sweepSpec.js';
import type { CellResult } from './SweepResults.js';

const isOutputFile = (v: unknown): v is OutputFile =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as OutputFile).name === 'string' &&
  (v as OutputFile).data instanceof Uint8Array;

/** The nodes of `doc` with a METRICS output (inside blocks too, by flattened id): what a sweep collects. */
export function metricNodes(doc: WorkflowDocument, registry: NodeRegistry): { node: string; outputs: string[] }[] {
  return flattenSubgraphs(doc).doc.nodes.flatMap((n) => {
    const def = registry.get(n.type);
    const outputs = Object.entries(def?.outputs ?? {}).flatMap(([name, s]) =>
      (s as { type: string }).type === 'METRICS' ? [name] : [],
    );
    return outputs.length ? [{ node: n.id, outputs }] : [];
  });
}

/**
 * What every cell of a sweep runs to: the METRICS nodes (a sweep without one is refused), plus
 * the output nodes when images are kept.
 */
export function cellTargets(
  doc: WorkflowDocument,
  registry: NodeRegistry,
  keepImages: boolean,
): { metricNodes: { node: string; outputs: string[] }[]; targets: string[] } {
  const metrics = metricNodes(doc, registry);
  if (metrics.length === 0)
    throw new SweepSpecError(
      'the workflow has no node with a METRICS output, so nothing would be measured: add an Edit metrics node fed by the source and edited images',
      'NO_METRICS',
    );
  const outputNodes = flattenSubgraphs(doc)
    .doc.nodes.filter((n) => registry.get(n.type)?.output)
    .map((n) => n.id);
  return {
    metricNodes: metrics,
    targets: [...new Set([...metrics.map((m) => m.node), ...(keepImages ? outputNodes : [])])],
  };
}

/** A copy of the sweep's workflow with one cell's params set. */
export function cellDocument(doc: WorkflowDocument, cell: { assignments: readonly Assignment[] }): WorkflowDocument {
  const copy = structuredClone(doc);
  for (const a of cell.assignments)
    if (!setParam(copy, a.node, a.param, a.value))
      throw new SweepSpecError(`the grid names node "${a.node}", which is not in the workflow`);
  return copy;
}

/**
 * Runs a cell in this process: a copy of the workflow with the cell's params set (as `ptp run
 * --set` does), only the METRICS nodes (and what they need) as targets, the numbers collected as
 * `node.metric` (`node.output.metric` for a second METRICS output), plus the METRICS context's
 * strings. One engine serves every cell,
 * so its cache reuses work cells share (the source capture when only the schedule changes); a
 * cell's numbers do not depend on that.
 */
export class EngineCellExecutor implements CellExecutor {
  readonly #engine: Engine;
  readonly #targets: string[];
  readonly #metricNodes: { node: string; outputs: string[] }[];

  constructor(
    readonly doc: WorkflowDocument,
    readonly registry: NodeRegistry,
    backend: InferenceBackend,
    readonly options: { resources?: RunResources; imagesDir?: string } = {},
  ) {
    ({ metricNodes: this.#metricNodes, targets: this.#targets } = cellTargets(doc, registry, !!options.imagesDir));
    this.#engine = new Engine(registry, { backend });
  }

  async run(cell: SweepCell, signal: AbortSignal): Promise<CellResult | 'interrupted'> {
    const doc = cellDocument(this.doc, cell);
    const started = performance.now();
    const run = await this.#engine.run(doc, {
      signal,
      outputs: this.#targets,
      ...(this.options.resources ? { resources: this.options.resources } : {}),
    });
    if (run.status === 'interrupted' || signal.aborted) return 'interrupted';
    const base = {
      key: cell.key,
      index: cell.index,
      pair: cell.pair,
      tags: cell.tags,
      params: Object.fromEntries(cell.assignments.map((a) => [columnOf(a), a.value])),
      ms: performance.now() - started,
    };
    if (run.status !== 'success') {
      const e = run.errors[0];
      return {
        ...base,
        status: 'error',
        metrics: {},
        error: `${e?.code ?? 'ERROR'}${e ? errorPlace(e) : ''}: ${e?.message ?? 'failed'}`,
      };
    }
    const metrics: CellResult['metrics'] = {};
    for (const { node, outputs } of this.#metricNodes) {
      for (const output of outputs) {
        const value = run.outputs.get(node)?.[output] as MetricsValue | undefined;
        if (!value) continue;
        const prefix = outputs.length > 1 && output !== 'metrics' ? `${node}.${output}` : node;
        for (const [k, v] of Object.entries(value.values)) metrics[`${prefix}.${k}`] = v;
        // Context strings (what the judge saw) ride along; numeric context is a setting, already a param.
        for (const [k, v] of Object.entries(value.context ?? {}))
          if (typeof v !== 'number') metrics[`${prefix}.${k}`] = String(v);
      }
    }
    if (this.options.imagesDir) await this.#saveImages(cell, run.outputs);
    return { ...base, status: 'ok', metrics };
  }

  async #saveImages(cell: SweepCell, outputs: Map<string, Record<string, unknown>>): Promise<void> {
    const dir = this.options.imagesDir!;
    await mkdir(dir, { recursive: true });
    for (const values of outputs.values()) {
      for (const v of Object.values(values)) {
        if (!Array.isArray(v)) continue;
        for (const f of v.filter(isOutputFile))
          await writeFile(path.join(dir, `${cell.key}-${path.basename(f.name)}`), f.data);
      }
    }
  }
}
