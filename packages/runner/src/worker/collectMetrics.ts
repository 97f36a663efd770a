import { flattenSubgraphs, type NodeRegistry, type WorkflowDocument } from '@ptp/graph-core';
import type { MetricsValue } from '@ptp/nodes';

/** A METRICS output of a finished run (what sweeps collect), by node and output name. */
export interface RunMetric {
  nodeId: string;
  output: string;
  value: MetricsValue;
}

/**
 * The METRICS values among a run's outputs. They travel with the outcome (IPC keeps Infinity and
 * NaN, which PSNR of identical pixels produces) so a sweep cell run by a queue worker reports the
 * same numbers as one run in-process.
 */
export function collectMetrics(
  workflow: WorkflowDocument,
  outputs: ReadonlyMap<string, Record<string, unknown>>,
  registry: NodeRegistry,
): RunMetric[] {
  const metrics: RunMetric[] = [];
  // Metric nodes inside blocks report under their flattened ids, as the engine ran them.
  for (const node of flattenSubgraphs(workflow).doc.nodes) {
    const values = outputs.get(node.id);
    const def = registry.get(node.type);
    if (!values || !def) continue;
    for (const [output, socket] of Object.entries(def.outputs)) {
      const value = values[output] as MetricsValue | undefined;
      if ((socket as { type: string }).type === 'METRICS' && value && typeof value === 'object' && 'values' in value)
        metrics.push({ nodeId: node.id, output, value });
    }
  }
  return metrics;
}
