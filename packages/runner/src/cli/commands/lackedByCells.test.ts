import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDocument, type WorkflowDocument } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../testCli.js';
import { SweepSpecError } from '../../sweep/sweepSpec.js';
import { lackedByCells } from './lackedByCells.js';

const registry = createNodeRegistry();
const load = (file: string): WorkflowDocument => {
  const loaded = loadDocument(readFileSync(path.join(repoRoot, file), 'utf8'), { registry });
  if (!loaded.ok) throw new Error(`${file} does not load`);
  return loaded.value;
};
const sweep = load('examples/study-word-swap.json'); // Load model "model" on tiny-shapes, an Edit metrics node
const cycle = load('examples/cycle.json'); // Load image "image" on an upload bundled in examples/uploads
const cell = (...set: [string, unknown][]) => ({
  assignments: set.map(([column, value]) => ({
    node: column.split('.')[0]!,
    param: column.split('.')[1]!,
    value,
  })),
});
const noFlags: { redis?: string } = {};
const lacked = async (doc: WorkflowDocument, cells: ReturnType<typeof cell>[], values = noFlags) =>
  (await lackedByCells({ values, doc, registry, cells, keepImages: false })).map(
    (e) => `${e.code} ${e.nodeId}.${e.param}: ${e.message}`,
  );

describe('lackedByCells (ptp sweep and ptp tune refuse what ptp run refuses)', () => {
  it('finds nothing when every cell loads a bundled pack and upload', async () => {
    expect(await lacked(sweep, [cell(['capture.steps', 2]), cell(['capture.steps', 3])])).toEqual([]);
    expect(await lacked(cycle, [cell(['schedule.cross', 0.5])])).toEqual([]);
  });

  it('tells a pack one cell sets once, with how many cells it stops', async () => {
    const cells = [1, 2, 3].flatMap((seed) => [
      cell(['model.pack', 'tiny-shapes'], ['capture.seed', seed]),
      cell(['model.pack', 'tiny-shapez'], ['capture.seed', seed]),
    ]);
    expect(await lacked(sweep, cells)).toEqual([
      expect.stringMatching(
        /^UNKNOWN_PACK model\.pack: there is no model pack “tiny-shapez” here; the packs are: .*tiny-shapes \(in 3 of 6 cells\)$/,
      ),
    ]);
  });

  it('tells a pack the workflow names once for all its cells, and an upload no folder holds', async () => {
    const doc = structuredClone(sweep);
    doc.nodes.find((n) => n.id === 'model')!.params.pack = 'my-scenes';
    expect(await lacked(doc, [cell(['capture.seed', 1]), cell(['capture.seed', 2])])).toEqual([
      expect.stringMatching(
        /^UNKNOWN_PACK model\.pack: there is no model pack “my-scenes” here; the packs are: [^(]*$/,
      ),
    ]);
    expect(await lacked(cycle, [cell(['image.upload', 'f'.repeat(64)])])).toEqual([
      expect.stringMatching(/^UPLOAD_NOT_FOUND image\.upload: there is no upload f{12}… here/),
    ]);
  });

  it("with --redis checks the uploads it sends, not the packs (they are the workers')", async () => {
    const redis = { ...noFlags, redis: 'redis://127.0.0.1:1' };
    expect(await lacked(sweep, [cell(['model.pack', 'on-a-worker'])], redis)).toEqual([]);
    expect(await lacked(cycle, [cell(['image.upload', 'f'.repeat(64)])], redis)).toEqual([
      expect.stringMatching(/^UPLOAD_NOT_FOUND image\.upload/),
    ]);
  });

  it('refuses a workflow with no METRICS node (NO_METRICS) alone: every cell would, whatever it lacks', async () => {
    const noMetrics = load('examples/tiny-word-swap.json');
    noMetrics.nodes.find((n) => n.id === 'model')!.params.pack = 'my-scenes';
    expect(await lacked(noMetrics, [cell(['capture.steps', 2])])).toEqual([
      expect.stringMatching(/^NO_METRICS undefined\.undefined: the workflow has no node with a METRICS output/),
    ]);
  });

  it('throws on a cell setting a node the workflow lacks (the commands refuse that first, a usage error)', async () => {
    const doc = structuredClone(sweep);
    doc.nodes.find((n) => n.id === 'model')!.params.pack = 'my-scenes';
    await expect(lacked(doc, [cell(['nope.pack', 'x'])])).rejects.toThrow(SweepSpecError);
    expect(await lacked(doc, [cell(['capture.steps', 2])])).toHaveLength(1);
  });
});
