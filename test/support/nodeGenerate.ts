import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Engine, loadDocument, type WorkflowDocument } from '@ptp/graph-core';
import { createNodeRegistry, type OutputFile } from '@ptp/nodes';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { repoRoot } from './repoRoot.js';

const isOutputFileList = (v: unknown): v is OutputFile[] =>
  Array.isArray(v) &&
  v.every((f) => typeof f === 'object' && f !== null && (f as OutputFile).data instanceof Uint8Array);

/** examples/tiny-generate.json with `steps` and `seed` changed (as a parsed document). */
export function generateDocument(steps: number, seed = 42): WorkflowDocument {
  const registry = createNodeRegistry();
  const loaded = loadDocument(readFileSync(path.join(repoRoot, 'examples/tiny-generate.json'), 'utf8'), { registry });
  if (!loaded.ok) throw new Error(`examples/tiny-generate.json does not load: ${loaded.errors[0]?.message}`);
  const sample = loaded.value.nodes.find((n) => n.id === 'sample')!;
  sample.params = { ...sample.params, steps, seed };
  return loaded.value;
}

/** Runs `doc` in-process on onnxruntime-node (the CLI's `--provider cpu` path) and returns its files. */
export async function runOnNode(
  doc: WorkflowDocument,
  provider: 'cpu' | 'webgpu' = 'cpu',
): Promise<{ files: OutputFile[]; ms: number }> {
  const backend = new OrtNodeBackend({ provider });
  try {
    const started = performance.now();
    const result = await new Engine(createNodeRegistry(), { backend }).run(doc);
    const ms = performance.now() - started;
    if (result.status !== 'success')
      throw new Error(`node run failed: ${result.errors.map((e) => `${e.code} ${e.message}`).join('; ')}`);
    const files = [...result.outputs.values()].flatMap((o) =>
      Object.values(o).flatMap((v) => (isOutputFileList(v) ? v : [])),
    );
    return { files, ms };
  } finally {
    await backend.release();
  }
}
