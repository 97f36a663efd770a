import { useMemo } from 'react';
import type { EditorNode } from '../model/editorGraph';
import type { NodeResult, ResultImage } from '../model/runResults';
import type { Freshness } from '../model/resultFreshness';
import { isRunActive } from '../model/runStatus';
import { useEditor, useFreshness, useRun } from '../hooks/useEditor';
import { useServices } from '../services/EditorContext';
import { CompareView } from './CompareView';
import { HeatmapView, type HeatmapParams } from './HeatmapView';

const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);

type Shown = { node: EditorNode; result: NodeResult } | undefined;

/** The node whose images to show: the selected one, else the Save image node, else the last that made images. */
function imagesShown(nodes: readonly EditorNode[], selected: Shown, results: ReadonlyMap<string, NodeResult>): Shown {
  if (selected?.result.images.length && !selected.result.heatmaps) return selected;
  const withImages = nodes.filter((n) => results.get(n.id)?.images.length && !results.get(n.id)?.heatmaps);
  const node = withImages.find((n) => n.data.nodeType === 'ptp.saveImage') ?? withImages.at(-1);
  return node ? { node, result: results.get(node.id)! } : undefined;
}

/** The attention viewer whose maps to show: the selected one, else the first that has maps. */
function mapsShown(nodes: readonly EditorNode[], selected: Shown, results: ReadonlyMap<string, NodeResult>): Shown {
  if (selected?.result.heatmaps) return selected;
  const node = nodes.find((n) => results.get(n.id)?.heatmaps);
  return node ? { node, result: results.get(node.id)! } : undefined;
}

/** The latest progress preview of the running graph (a sampler's latents), while it runs. */
function LivePreview() {
  const previews = useRun((s) => s.previews);
  const busy = useRun((s) => isRunActive(s.view));
  const entry = Object.entries(previews).at(-1);
  if (!busy || !entry) return null;
  return (
    <figure className="live-preview" data-testid="live-preview" data-node={entry[0]}>
      <img src={entry[1]} alt="progress preview" />
      <figcaption>live preview of {entry[0]}</figcaption>
    </figure>
  );
}

const STALE_NOTES: Record<Exclude<Freshness, 'current'>, { testId: string; text: string }> = {
  edited: { testId: 'edited-since-run', text: 'The graph has changed since this run: press Run to see the change.' },
  running: { testId: 'stale-results', text: 'Running… these results are from the previous run.' },
  earlier: { testId: 'stale-results', text: 'From an earlier run: the last run made no new ones.' },
};

function StaleNote({ freshness }: { freshness: Freshness | undefined }) {
  if (!freshness || freshness === 'current') return null;
  const note = STALE_NOTES[freshness];
  return (
    <p className="stale-note" data-testid={note.testId}>
      {note.text}
    </p>
  );
}

/**
 * What the last run made, large: the edited images beside the source (or with a slider), and the
 * attention viewer's per-word maps over the picture, together without selecting anything. Selecting
 * a node shows its own images or maps. Results of an earlier run are marked as such.
 */
export function ResultsPanel({
  onRerun,
  onEditResult,
}: {
  onRerun(targets: string[]): void;
  /** Edit picture `index` of the shown result further (see EditorActions.editResult). */
  onEditResult(image: ResultImage, index: number): void;
}) {
  const { store } = useServices();
  const results = useRun((s) => s.results);
  const busy = useRun((s) => isRunActive(s.view));
  const canvasNodes = useEditor((s) => s.graph.nodes);
  // Inside a block, what the workflow's own outputs (Save image, viewers) made still shows here.
  const topNodes = useEditor((s) => s.scope?.topNodes);
  const nodes = useMemo(() => {
    if (!topNodes) return canvasNodes;
    const ids = new Set(canvasNodes.map((n) => n.id));
    return [...canvasNodes, ...topNodes.filter((n) => !ids.has(n.id))];
  }, [canvasNodes, topNodes]);
  const selectedNode = useMemo(() => {
    const sel = canvasNodes.filter((n) => n.selected);
    return sel.length === 1 ? sel[0] : undefined;
  }, [canvasNodes]);
  const selected: Shown =
    selectedNode && results.has(selectedNode.id)
      ? { node: selectedNode, result: results.get(selectedNode.id)! }
      : undefined;
  const images = imagesShown(nodes, selected, results);
  const maps = mapsShown(nodes, selected, results);
  const imagesFresh = useFreshness(images?.node.id ?? '', images?.result);
  const mapsFresh = useFreshness(maps?.node.id ?? '', maps?.result);
  // The note speaks for the section that is not current (the images first).
  const freshness = [imagesFresh, mapsFresh].find((f) => f !== undefined && f !== 'current');
  // Pictures the heatmaps lie over: what the Save image nodes wrote (source first, then edits).
  const bases = useMemo<ResultImage[]>(
    () => nodes.filter((n) => n.data.nodeType === 'ptp.saveImage').flatMap((n) => results.get(n.id)?.images ?? []),
    [nodes, results],
  );
  // Always laid out (even empty) so the canvas keeps its size when the first results arrive.
  if (!images && !maps) {
    return (
      <aside className="results empty" data-testid="results-panel">
        <LivePreview />
        <p className="hint">
          {busy
            ? 'Running… the images and attention maps appear here when it ends.'
            : 'Press Run: the edited images and the attention maps of each word appear here.'}
        </p>
      </aside>
    );
  }
  const p = maps?.node.data.params ?? {};
  const params: HeatmapParams = {
    item: num(p.item, 0),
    fromStep: num(p.fromStep, 0),
    toStep: num(p.toStep, 1000),
    resolution: typeof p.resolution === 'string' ? p.resolution : '',
  };
  const stale = freshness !== undefined;
  return (
    <aside
      className={`results${stale ? ' stale' : ''}`}
      data-testid="results-panel"
      data-node={(images ?? maps)!.node.id}
      data-stale={stale ? 'true' : 'false'}
    >
      <StaleNote freshness={freshness} />
      <LivePreview />
      {images && (
        <section className="result-section" data-testid="result-images-section">
          <h2>
            {images.node.data.label ?? images.node.id} <span className="type">{images.node.data.nodeType}</span>
          </h2>
          {images.result.images.length >= 2 && <CompareView images={images.result.images} />}
          <div className="result-images">
            {images.result.images.map((img, i) => (
              <div className="result-item" key={img.url ?? img.name}>
                <a href={img.url} download={img.name} title={`${img.name} (click to download)`}>
                  <img src={img.url} alt={img.name} data-testid="result-image" />
                </a>
                <span className="caption">
                  {images.result.images.length > 1 ? (i === 0 ? 'source' : `edit ${i}`) : img.name}{' '}
                  <button
                    type="button"
                    className="link edit-result"
                    title="edit this picture further: it is loaded, inverted under the prompt it was made from, and edited"
                    data-testid="edit-result"
                    onClick={() => onEditResult(img, i)}
                  >
                    edit ↻
                  </button>
                </span>
              </div>
            ))}
          </div>
        </section>
      )}
      {maps?.result.heatmaps && (
        <section className="result-section" data-testid="result-maps-section" data-node={maps.node.id}>
          <h2>
            Attention maps <span className="type">{maps.node.data.label ?? maps.node.id}</span>
          </h2>
          <HeatmapView
            heatmaps={maps.result.heatmaps}
            bases={bases}
            params={params}
            busy={busy}
            onApply={(next) => {
              store.setParams(maps.node.id, next);
              onRerun([maps.node.id]);
            }}
          />
        </section>
      )}
    </aside>
  );
}
