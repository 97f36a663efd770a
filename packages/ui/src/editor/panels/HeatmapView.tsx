import { useEffect, useRef, useState } from 'react';
import { heatmapRgba } from '../model/heatmap';
import type { ResultHeatmaps, ResultImage } from '../model/runResults';

const OVERLAY_SIZE = 256;
/** Resolution groups a pack can have ('' = the finest group that keeps per-step maps). */
const RESOLUTIONS = ['', '64x64', '32x32', '16x16', '8x8', '4x4', '2x2'];

function Overlay({
  base,
  map,
  grid,
  opacity,
}: {
  base: ResultImage | undefined;
  map: Float32Array;
  grid: readonly [number, number];
  opacity: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const rgba = heatmapRgba(map, grid, OVERLAY_SIZE, OVERLAY_SIZE, base ? opacity : 1);
    ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, OVERLAY_SIZE, OVERLAY_SIZE), 0, 0);
  }, [map, grid, opacity, base]);
  return (
    <div className="heatmap-stack">
      {base && <img src={base.url} alt="image under the heatmap" />}
      <canvas ref={canvas} width={OVERLAY_SIZE} height={OVERLAY_SIZE} data-testid="heatmap-canvas" />
    </div>
  );
}

export interface HeatmapParams {
  item: number;
  fromStep: number;
  toStep: number;
  resolution: string;
}

type Maps = ResultHeatmaps['maps'];
type DraftProps = { draft: HeatmapParams; onDraft(p: HeatmapParams): void };

/** One chip per word of the maps; the chosen one is on. */
function WordChips({ maps, word, onPick }: { maps: Maps; word: number; onPick(i: number): void }) {
  return (
    <div className="heatmap-words">
      {maps.map((x, i) => (
        <button
          key={`${x.word}-${i}`}
          type="button"
          className={`chip${i === word ? ' on' : ''}`}
          onClick={() => onPick(i)}
          data-testid={`heatmap-word-${x.word}`}
        >
          {x.word}
        </button>
      ))}
    </div>
  );
}

/** Which of the run's images lies under the heatmap. */
function ImagePicker({
  bases,
  index,
  onPick,
}: {
  bases: readonly ResultImage[];
  index: number;
  onPick(i: number): void;
}) {
  return (
    <label>
      Image
      <select value={index} onChange={(e) => onPick(Number(e.target.value))}>
        {bases.map((b, i) => (
          <option key={b.name} value={i}>
            {b.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The viewer node's step range, as a draft until applied. */
function StepRange({ draft, onDraft }: DraftProps) {
  return (
    <label>
      Steps
      <input
        type="number"
        min={0}
        max={1000}
        value={draft.fromStep}
        data-testid="heatmap-from"
        onChange={(e) => onDraft({ ...draft, fromStep: Math.max(0, Math.round(Number(e.target.value) || 0)) })}
      />
      –
      <input
        type="number"
        min={0}
        max={1000}
        value={draft.toStep}
        data-testid="heatmap-to"
        onChange={(e) => onDraft({ ...draft, toStep: Math.max(0, Math.round(Number(e.target.value) || 0)) })}
      />
    </label>
  );
}

/** The viewer node's resolution group, as a draft until applied. */
function ResolutionSelect({ draft, onDraft, group }: DraftProps & { group: string }) {
  return (
    <label>
      Resolution
      <select
        value={draft.resolution}
        data-testid="heatmap-resolution"
        onChange={(e) => onDraft({ ...draft, resolution: e.target.value })}
      >
        {[...new Set([...RESOLUTIONS, group, draft.resolution])].map((r) => (
          <option key={r} value={r}>
            {r || 'finest with per-step maps'}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Per-token attention over the picture: pick a word, see where it attends. The step range and
 * resolution are the attention viewer node's params: changing them re-runs only that node (its
 * inputs come from the cache).
 */
export function HeatmapView(props: {
  heatmaps: ResultHeatmaps;
  bases: readonly ResultImage[];
  params: HeatmapParams;
  onApply(p: HeatmapParams): void;
  busy: boolean;
}) {
  const { heatmaps, bases } = props;
  const [word, setWord] = useState(0);
  const [opacity, setOpacity] = useState(0.7);
  const [draft, setDraft] = useState(props.params);
  useEffect(() => setDraft(props.params), [props.params]);
  // Item 0 of the maps is the source prompt, item k the k-th edit: the same order as the images.
  const [baseIndex, setBaseIndex] = useState(() => Math.max(0, Math.min(props.params.item, bases.length - 1)));
  const m = heatmaps.maps[Math.min(word, heatmaps.maps.length - 1)];
  const base = bases[baseIndex] ?? bases[0];
  return (
    <section className="heatmaps" data-testid="heatmaps">
      <WordChips maps={heatmaps.maps} word={word} onPick={setWord} />
      {m ? (
        <Overlay base={base} map={m.map} grid={heatmaps.grid} opacity={opacity} />
      ) : (
        <p className="hint">no words in these maps</p>
      )}
      <div className="heatmap-controls">
        <label>
          Opacity{' '}
          <input
            type="range"
            min={0.1}
            max={1}
            step={0.05}
            value={opacity}
            onChange={(e) => setOpacity(Number(e.target.value))}
          />
        </label>
        {bases.length > 1 && <ImagePicker bases={bases} index={baseIndex} onPick={setBaseIndex} />}
        <StepRange draft={draft} onDraft={setDraft} />
        <ResolutionSelect draft={draft} onDraft={setDraft} group={heatmaps.group} />
        <button type="button" disabled={props.busy} onClick={() => props.onApply(draft)} data-testid="heatmap-apply">
          Update maps
        </button>
      </div>
      <p className="hint">
        {heatmaps.group} ({heatmaps.grid[0]}×{heatmaps.grid[1]})
        {heatmaps.perStep ? '' : ', summed over all steps (this group keeps no per-step maps)'}
      </p>
    </section>
  );
}
