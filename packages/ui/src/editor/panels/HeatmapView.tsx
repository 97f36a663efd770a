import { useEffect, useRef, useState } from 'react';
import { firstContentWord, heatmapRgba, rampGradient } from '../model/heatmap';
import type { ResultHeatmaps, ResultImage } from '../model/runResults';

const OVERLAY_SIZE = 256;
/** Resolution groups a pack can have ('' = the finest group that keeps per-step maps). */
const RESOLUTIONS = ['', '64x64', '32x32', '16x16', '8x8', '4x4', '2x2'];

function MapCanvas({ map, grid, opacity }: { map: Float32Array; grid: readonly [number, number]; opacity: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const rgba = heatmapRgba(map, grid, OVERLAY_SIZE, OVERLAY_SIZE, opacity);
    ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, OVERLAY_SIZE, OVERLAY_SIZE), 0, 0);
  }, [map, grid, opacity]);
  return <canvas ref={canvas} width={OVERLAY_SIZE} height={OVERLAY_SIZE} data-testid="heatmap-canvas" />;
}

/** The map over the picture, or beside it (then fully opaque). */
function Overlay({
  base,
  map,
  grid,
  opacity,
  beside,
}: {
  base: ResultImage | undefined;
  map: Float32Array;
  grid: readonly [number, number];
  opacity: number;
  beside: boolean;
}) {
  if (!base || beside)
    return (
      <div className="heatmap-beside">
        {base && <img src={base.url} alt="the picture the maps belong to" />}
        <div className="heatmap-stack">
          <MapCanvas map={map} grid={grid} opacity={1} />
        </div>
      </div>
    );
  return (
    <div className="heatmap-stack">
      <img src={base.url} alt="image under the heatmap" />
      <MapCanvas map={map} grid={grid} opacity={opacity} />
    </div>
  );
}

/** The colour ramp with what its ends mean (each map is scaled to its own maximum). */
function ColourScale() {
  return (
    <div className="colour-scale" data-testid="colour-scale">
      <span>low</span>
      <span className="ramp" style={{ background: rampGradient() }} />
      <span title="each map is scaled to its own maximum">high</span>
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

/**
 * One chip per word of the maps; the chosen one is on. A word the prompt has more than once
 * ("a red circle and a blue square") has a map per occurrence: each chip says which one.
 */
function WordChips({ maps, word, onPick }: { maps: Maps; word: number; onPick(i: number): void }) {
  const total = new Map<string, number>();
  for (const x of maps) total.set(x.word, (total.get(x.word) ?? 0) + 1);
  const seen = new Map<string, number>();
  return (
    <div className="heatmap-words">
      {maps.map((x, i) => {
        const nth = (seen.get(x.word) ?? 0) + 1;
        seen.set(x.word, nth);
        const repeated = total.get(x.word)! > 1;
        return (
          <button
            key={`${x.word}-${i}`}
            type="button"
            className={`chip${i === word ? ' on' : ''}`}
            onClick={() => onPick(i)}
            title={repeated ? `“${x.word}”, occurrence ${nth} of ${total.get(x.word)} in the prompt` : undefined}
            data-testid={`heatmap-word-${x.word}`}
          >
            {x.word}
            {repeated && <sub className="muted">{nth}</sub>}
          </button>
        );
      })}
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
function StepRange({ draft, onDraft, steps }: DraftProps & { steps: number }) {
  const last = Math.max(0, steps - 1);
  return (
    <label>
      Steps
      <input
        type="number"
        min={0}
        max={last}
        value={Math.min(draft.fromStep, last)}
        data-testid="heatmap-from"
        onChange={(e) => onDraft({ ...draft, fromStep: Math.max(0, Math.round(Number(e.target.value) || 0)) })}
      />
      –
      <input
        type="number"
        min={0}
        max={last}
        value={Math.min(draft.toStep, last)}
        data-testid="heatmap-to"
        onChange={(e) => onDraft({ ...draft, toStep: Math.max(0, Math.round(Number(e.target.value) || 0)) })}
      />
      <span className="of">of 0–{last}</span>
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
  const [word, setWord] = useState(() => firstContentWord(heatmaps.maps.map((m) => m.word)));
  const [opacity, setOpacity] = useState(0.7);
  const [beside, setBeside] = useState(false);
  // New maps (another prompt or run) open on their first content word again.
  const words = heatmaps.maps.map((m) => m.word).join(' ');
  useEffect(() => setWord(firstContentWord(words.split(' '))), [words]);
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
        <>
          <p className="heatmap-label" data-testid="heatmap-label">
            “{m.word}” in “{heatmaps.prompt}”, steps {heatmaps.fromStep}–{heatmaps.toStep} of {heatmaps.steps},{' '}
            {heatmaps.grid[0]}×{heatmaps.grid[1]}
            {heatmaps.perStep ? '' : ' (this resolution keeps only the sum over all steps)'}
          </p>
          <Overlay base={base} map={m.map} grid={heatmaps.grid} opacity={opacity} beside={beside} />
          <ColourScale />
        </>
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
        <label>
          <input
            type="checkbox"
            checked={beside}
            onChange={(e) => setBeside(e.target.checked)}
            data-testid="heatmap-beside"
          />{' '}
          beside the image
        </label>
        {bases.length > 1 && <ImagePicker bases={bases} index={baseIndex} onPick={setBaseIndex} />}
        <StepRange draft={draft} onDraft={setDraft} steps={heatmaps.steps} />
        <ResolutionSelect draft={draft} onDraft={setDraft} group={heatmaps.group} />
        <button type="button" disabled={props.busy} onClick={() => props.onApply(draft)} data-testid="heatmap-apply">
          Update maps
        </button>
      </div>
    </section>
  );
}
