import { useState } from 'react';
import type { ResultImage } from '../model/runResults';

/**
 * Source and edit next to each other, or stacked with a slider that reveals the edit over the
 * source. Image 0 of an edit batch is the source; 1.. are the edits.
 */
export function CompareView({ images }: { images: readonly ResultImage[] }) {
  const [mode, setMode] = useState<'side' | 'slider'>('side');
  const [edit, setEdit] = useState(1);
  const [split, setSplit] = useState(50);
  const a = images[0];
  const b = images[Math.min(edit, images.length - 1)];
  if (!a || !b || images.length < 2) return null;
  return (
    <section className="compare" data-testid="compare">
      <div className="compare-controls">
        <button
          type="button"
          className={mode === 'side' ? 'on' : ''}
          onClick={() => setMode('side')}
          data-testid="compare-side"
        >
          Side by side
        </button>
        <button
          type="button"
          className={mode === 'slider' ? 'on' : ''}
          onClick={() => setMode('slider')}
          data-testid="compare-slider-mode"
        >
          Slider
        </button>
        {images.length > 2 && (
          <select value={edit} onChange={(e) => setEdit(Number(e.target.value))} aria-label="edit to compare">
            {images.slice(1).map((img, i) => (
              <option key={img.name} value={i + 1}>
                edit {i + 1} ({img.name})
              </option>
            ))}
          </select>
        )}
      </div>
      {mode === 'side' ? (
        <div className="compare-side">
          <figure>
            <img src={a.url} alt="source" />
            <figcaption>source</figcaption>
          </figure>
          <figure>
            <img src={b.url} alt="edit" />
            <figcaption>edit {edit}</figcaption>
          </figure>
        </div>
      ) : (
        <div className="compare-slider" data-testid="compare-slider">
          <div className="stack">
            <img src={a.url} alt="source" />
            <img src={b.url} alt="edit" className="top" style={{ clipPath: `inset(0 0 0 ${split}%)` }} />
            <div className="divider" style={{ left: `${split}%` }} />
          </div>
          <input
            type="range"
            min={0}
            max={100}
            value={split}
            onChange={(e) => setSplit(Number(e.target.value))}
            aria-label="reveal edit"
          />
          <div className="compare-slider-labels" aria-hidden="true">
            <span>◀ source</span>
            <span>edit {edit} ▶</span>
          </div>
        </div>
      )}
    </section>
  );
}
