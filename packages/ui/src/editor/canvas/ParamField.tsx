import { memo, useEffect, useState } from 'react';
import { UploadInput } from './UploadInput';
import type { GraphError } from '@ptp/graph-core';
import { fieldMessage } from '../model/errorMap';
import { coerceNumber, windowRange, windowValue, type ParamWidget } from '../model/paramWidgets';
import { useEditor } from '../hooks/useEditor';
import { WordPicker, WordTable } from './WordPicker';

export interface ParamFieldProps {
  nodeId: string;
  widget: ParamWidget;
  value: unknown;
  errors: readonly GraphError[] | undefined;
  /** Words of the connected prompts, for word pickers. */
  words: readonly string[];
  onChange(name: string, value: unknown): void;
  /** Inside an open block: the block param that stands for this one. */
  exposedAs?: string;
}

/** A text field that commits on every keystroke but keeps what the user typed while it is invalid. */
function useDraft(value: unknown, format: (v: unknown) => string) {
  const [draft, setDraft] = useState(() => format(value));
  useEffect(() => setDraft(format(value)), [value, format]);
  return [draft, setDraft] as const;
}

const asText = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const asJson = (v: unknown) => JSON.stringify(v ?? null);

function NumberInput({
  widget,
  value,
  onCommit,
}: {
  widget: Extract<ParamWidget, { kind: 'slider' | 'number' | 'seed' }>;
  value: unknown;
  onCommit(v: unknown): void;
}) {
  const [draft, setDraft] = useDraft(value, asText);
  const commit = () => {
    const next = coerceNumber(widget, draft, value);
    // Kept (no number typed): the field shows the value again, as the store still has it.
    setDraft(asText(next));
    onCommit(next);
  };
  return (
    <input
      className="nodrag param-number"
      type="number"
      value={draft}
      step={widget.kind === 'seed' ? 1 : (widget.step ?? 'any')}
      min={widget.min}
      max={widget.max}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && commit()}
    />
  );
}

function WindowInput({
  widget,
  value,
  onCommit,
}: {
  widget: Extract<ParamWidget, { kind: 'window' }>;
  value: unknown;
  onCommit(v: unknown): void;
}) {
  const [start, end] = windowRange(value);
  return (
    <div className="param-window" title="injection window: from the start fraction to the end fraction of the steps">
      <input
        className="nodrag"
        type="range"
        min={0}
        max={1}
        step={widget.step}
        value={start}
        aria-label="window start"
        onChange={(e) => onCommit(windowValue(Number(e.target.value), end))}
      />
      <input
        className="nodrag"
        type="range"
        min={0}
        max={1}
        step={widget.step}
        value={end}
        aria-label="window end"
        onChange={(e) => onCommit(windowValue(start, Number(e.target.value)))}
      />
      <span className="param-value">{start === 0 ? end.toFixed(2) : `${start.toFixed(2)}–${end.toFixed(2)}`}</span>
    </div>
  );
}

function JsonInput({ value, onCommit }: { value: unknown; onCommit(v: unknown): void }) {
  const [draft, setDraft] = useDraft(value, asJson);
  const [bad, setBad] = useState(false);
  return (
    <textarea
      className={`nodrag nowheel param-json${bad ? ' invalid' : ''}`}
      value={draft}
      rows={2}
      onChange={(e) => {
        setDraft(e.target.value);
        try {
          onCommit(JSON.parse(e.target.value));
          setBad(false);
        } catch {
          setBad(true);
        }
      }}
    />
  );
}

type WidgetOf<K extends ParamWidget['kind']> = Extract<ParamWidget, { kind: K }>;
type Commit = (v: unknown) => void;

function sliderControl(w: WidgetOf<'slider'>, value: unknown, commit: Commit) {
  return (
    <div className="param-slider">
      <input
        className="nodrag"
        type="range"
        min={w.min}
        max={w.max}
        step={w.step}
        value={typeof value === 'number' ? value : Number(w.default ?? w.min)}
        onChange={(e) => commit(coerceNumber(w, e.target.value, value))}
        aria-label={w.label}
      />
      <NumberInput widget={w} value={value} onCommit={commit} />
    </div>
  );
}

function seedControl(w: WidgetOf<'seed'>, value: unknown, commit: Commit) {
  return (
    <div className="param-seed">
      <NumberInput widget={w} value={value} onCommit={commit} />
      <button
        type="button"
        className="nodrag"
        title="random seed"
        onClick={() => commit(Math.floor(Math.random() * Math.min(w.max, 2 ** 31)))}
      >
        random
      </button>
    </div>
  );
}

/**
 * The pack a Load model node uses: a list of the packs the runner has (as ComfyUI lists checkpoint
 * files), keeping a pack it lacks as a marked choice; a text field while the list is not known.
 */
function PackSelect({ widget, value, commit }: { widget: WidgetOf<'pack'>; value: unknown; commit: Commit }) {
  const packs = useEditor((s) => s.packs);
  const current = asText(value);
  if (!packs) return textControl(widget, value, commit);
  const missing = current !== '' && !packs.includes(current);
  return (
    <select className="nodrag param-enum" value={current} onChange={(e) => commit(e.target.value)}>
      {missing && <option value={current}>{current} (not here)</option>}
      {packs.map((id) => (
        <option key={id} value={id}>
          {id}
        </option>
      ))}
    </select>
  );
}

function textControl(w: WidgetOf<'textarea' | 'text' | 'pack'>, value: unknown, commit: Commit) {
  if (w.kind === 'textarea')
    return (
      <textarea
        className="nodrag nowheel param-textarea"
        rows={3}
        maxLength={w.maxLength}
        value={asText(value)}
        onChange={(e) => commit(e.target.value)}
      />
    );
  return (
    <input
      className="nodrag param-text"
      type="text"
      maxLength={w.kind === 'text' ? w.maxLength : undefined}
      value={asText(value)}
      onChange={(e) => commit(e.target.value)}
    />
  );
}

function enumControl(w: WidgetOf<'enum'>, value: unknown, commit: Commit) {
  return (
    <select className="nodrag param-enum" value={asText(value)} onChange={(e) => commit(e.target.value)}>
      {w.options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

function wordControl(
  w: WidgetOf<'words' | 'word-values' | 'word-windows'>,
  words: readonly string[],
  value: unknown,
  commit: Commit,
) {
  if (w.kind === 'words')
    return (
      <WordPicker
        words={words}
        value={Array.isArray(value) ? (value as string[]) : []}
        max={w.maxItems}
        onChange={commit}
      />
    );
  if (w.kind === 'word-values')
    return (
      <WordTable
        words={words}
        value={(value ?? {}) as Record<string, unknown>}
        kind="value"
        step={w.step}
        min={w.min}
        max={w.max}
        onChange={commit}
      />
    );
  return (
    <WordTable
      words={words}
      value={(value ?? {}) as Record<string, unknown>}
      kind="window"
      step={w.step}
      onChange={commit}
    />
  );
}

function control(p: ParamFieldProps, commit: Commit) {
  const { widget: w, value } = p;
  switch (w.kind) {
    case 'slider':
      return sliderControl(w, value, commit);
    case 'number':
      return <NumberInput widget={w} value={value} onCommit={commit} />;
    case 'seed':
      return seedControl(w, value, commit);
    case 'textarea':
    case 'text':
      return textControl(w, value, commit);
    case 'pack':
      return <PackSelect widget={w} value={value} commit={commit} />;
    case 'upload':
      return <UploadInput value={asText(value)} onCommit={commit} />;
    case 'enum':
      return enumControl(w, value, commit);
    case 'boolean':
      return (
        <input className="nodrag" type="checkbox" checked={value === true} onChange={(e) => commit(e.target.checked)} />
      );
    case 'color':
      return (
        <input
          className="nodrag"
          type="color"
          value={asText(value) || '#ffffff'}
          onChange={(e) => commit(e.target.value)}
        />
      );
    case 'window':
      return <WindowInput widget={w} value={value} onCommit={commit} />;
    case 'words':
    case 'word-values':
    case 'word-windows':
      return wordControl(w, p.words, value, commit);
    case 'json':
      return <JsonInput value={value} onCommit={commit} />;
  }
}

/** One param row: label, the widget for its schema, and its validation errors underneath. */
export const ParamField = memo(function ParamField(p: ParamFieldProps) {
  const commit = (v: unknown) => p.onChange(p.widget.name, v);
  const bad = Boolean(p.errors?.some((e) => e.severity !== 'warning'));
  return (
    <div
      className={`param${bad ? ' has-error' : ''}`}
      data-testid={`param-${p.nodeId}-${p.widget.name}`}
      data-kind={p.widget.kind}
    >
      <label title={p.widget.description}>
        {p.widget.label}
        {p.exposedAs !== undefined && (
          <span
            className="exposed"
            title={`the block's param "${p.exposedAs}": a value set on a block node overrides this one`}
            data-testid="exposed"
          >
            ⇠ {p.exposedAs}
          </span>
        )}
      </label>
      {control(p, commit)}
      {p.errors?.map((e, i) => (
        <div
          key={i}
          className={`param-error ${e.severity}`}
          data-testid={`param-error-${p.nodeId}-${p.widget.name}`}
          title={fieldMessage(e.message)}
        >
          {fieldMessage(e.message)}
        </div>
      ))}
    </div>
  );
});
