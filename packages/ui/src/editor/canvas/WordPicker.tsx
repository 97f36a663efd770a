import { windowRange, windowValue } from '../model/paramWidgets';

/**
 * Words of the connected prompt as toggle chips. Chosen words the prompt no longer has stay
 * visible (struck through) so an edit of the prompt never silently drops them.
 */
export function WordPicker({
  words,
  value,
  max,
  onChange,
}: {
  words: readonly string[];
  value: readonly string[];
  max?: number | undefined;
  onChange(v: string[]): void;
}) {
  const chosen = new Set(value);
  const stale = value.filter((w) => !words.includes(w));
  const full = max !== undefined && value.length >= max;
  return (
    <div className="word-picker nodrag">
      {words.length === 0 && <span className="hint">no words yet: connect a prompt and write its text</span>}
      {words.map((w) => (
        <button
          key={w}
          type="button"
          className={`chip${chosen.has(w) ? ' on' : ''}`}
          aria-pressed={chosen.has(w)}
          disabled={!chosen.has(w) && full}
          data-word={w}
          onClick={() => onChange(chosen.has(w) ? value.filter((x) => x !== w) : [...value, w])}
        >
          {w}
        </button>
      ))}
      {stale.map((w) => (
        <button
          key={`stale-${w}`}
          type="button"
          className="chip stale on"
          title="not in the connected prompt; click to remove"
          onClick={() => onChange(value.filter((x) => x !== w))}
        >
          {w}
        </button>
      ))}
    </div>
  );
}

/** word -> number (equalizer) or word -> window (per-word cross windows), words picked from the prompt. */
export function WordTable(props: {
  words: readonly string[];
  value: Readonly<Record<string, unknown>>;
  kind: 'value' | 'window';
  step: number;
  min?: number | undefined;
  max?: number | undefined;
  onChange(v: Record<string, unknown>): void;
}) {
  const { words, value, kind, step, onChange } = props;
  const set = (word: string, v: unknown) => onChange({ ...value, [word]: v });
  const remove = (word: string) => {
    const { [word]: _drop, ...rest } = value;
    onChange(rest);
  };
  const addable = words.filter((w) => !(w in value));
  return (
    <div className="word-table nodrag">
      {Object.entries(value).map(([word, v]) => (
        <div key={word} className={`word-row${words.includes(word) ? '' : ' stale'}`} data-word={word}>
          <span className="word">{word}</span>
          {kind === 'value' ? (
            <input
              type="number"
              step={step}
              min={props.min}
              max={props.max}
              value={typeof v === 'number' ? v : 1}
              onChange={(e) => Number.isFinite(Number(e.target.value)) && set(word, Number(e.target.value))}
            />
          ) : (
            <>
              <input
                type="range"
                min={0}
                max={1}
                step={step}
                value={windowRange(v)[1]}
                aria-label={`${word} window end`}
                onChange={(e) => set(word, windowValue(windowRange(v)[0], Number(e.target.value)))}
              />
              <span className="param-value">{windowRange(v)[1].toFixed(2)}</span>
            </>
          )}
          <button type="button" title="remove" onClick={() => remove(word)}>
            ×
          </button>
        </div>
      ))}
      {addable.length > 0 && (
        <select
          value=""
          aria-label="add a word"
          onChange={(e) => e.target.value && set(e.target.value, kind === 'value' ? 2 : 0.8)}
        >
          <option value="">+ word…</option>
          {addable.map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </select>
      )}
      {addable.length === 0 && Object.keys(value).length === 0 && (
        <span className="hint">no words yet: connect a prompt and write its text</span>
      )}
    </div>
  );
}
