import { useMemo } from 'react';
import type { EditorNode } from '../model/editorGraph';
import type { ResultImage } from '../model/runResults';
import { isRunActive } from '../model/runStatus';
import { useEditor, useRun } from '../hooks/useEditor';
import { useServices } from '../services/EditorContext';
import { CompareView } from './CompareView';
import { HeatmapView, type HeatmapParams } from './HeatmapView';

const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/**
 * The selected node's results, large: its images with source/edit compare, or an attention
 * viewer's per-word heatmaps over the picture. With nothing selected, the last node that made images.
 */
export function ResultsPanel({ onRerun }: { onRerun(targets: string[]): void }) {
  const { store } = useServices();
  const results = useRun((s) => s.results);
  const busy = useRun((s) => isRunActive(s.view));
  const nodes = useEditor((s) => s.graph.nodes);
  const selected = useMemo(() => nodes.filter((n) => n.selected), [nodes]);
  const node: EditorNode | undefined = useMemo(() => {
    if (selected.length === 1 && results.has(selected[0]!.id)) return selected[0];
    const withImages = nodes.filter((n) => results.get(n.id)?.images.length);
    return withImages.find((n) => n.data.nodeType === 'ptp.saveImage') ?? withImages.at(-1);
  }, [selected, nodes, results]);
  const result = node ? results.get(node.id) : undefined;
  // Pictures the heatmaps lie over: what the Save image nodes wrote (source first, then edits).
  const bases = useMemo<ResultImage[]>(() => {
    const saves = nodes
      .filter((n) => n.data.nodeType === 'ptp.saveImage')
      .flatMap((n) => results.get(n.id)?.images ?? []);
    return saves.length ? saves : [];
  }, [nodes, results]);
  // Always laid out (even empty) so the canvas keeps its size when the first results arrive.
  if (!node || !result) {
    return (
      <aside className="results empty" data-testid="results-panel">
        <p className="hint">
          Results appear here: run the graph, then select a node with images (or an attention viewer for its heatmaps).
        </p>
      </aside>
    );
  }
  const p = node.data.params;
  const params: HeatmapParams = {
    item: num(p.item, 0),
    fromStep: num(p.fromStep, 0),
    toStep: num(p.toStep, 1000),
    resolution: typeof p.resolution === 'string' ? p.resolution : '',
  };
  return (
    <aside className="results" data-testid="results-panel" data-node={node.id}>
      <h2>
        {node.data.label ?? node.id} <span className="type">{node.data.nodeType}</span>
      </h2>
      {result.heatmaps ? (
        <HeatmapView
          heatmaps={result.heatmaps}
          bases={bases}
          params={params}
          busy={busy}
          onApply={(next) => {
            for (const [k, v] of Object.entries(next)) store.setParam(node.id, k, v);
            onRerun([node.id]);
          }}
        />
      ) : result.images.length >= 2 ? (
        <CompareView images={result.images} />
      ) : null}
      <div className="result-images">
        {result.images.map((img) => (
          <a key={img.url ?? img.name} href={img.url} download={img.name} title={`${img.name} (click to download)`}>
            <img src={img.url} alt={img.name} data-testid="result-image" />
          </a>
        ))}
      </div>
    </aside>
  );
}
