import { stableStringify, type CatalogueEntry } from '@ptp/graph-core';

/**
 * How a param is edited, derived from its JSON Schema in the catalogue (bounds, enums, defaults)
 * and the UI hints node authors put in `.meta()` (`step`, `widget`, `wordsFrom`).
 */
export type ParamWidget =
  | (Base & { kind: 'slider'; min: number; max: number; step: number; integer: boolean })
  | (Base & { kind: 'number'; min?: number; max?: number; step?: number; integer: boolean })
  | (Base & { kind: 'seed'; min: number; max: number })
  | (Base & { kind: 'textarea' | 'text'; maxLength?: number; pattern?: string })
  | (Base & { kind: 'enum'; options: readonly string[] })
  | (Base & { kind: 'boolean' })
  | (Base & { kind: 'color' })
  | (Base & { kind: 'pack' })
  | (Base & { kind: 'upload' })
  /** A step window: a fraction c meaning (0, c), or a [start, end] pair (Prompt-to-Prompt's windows). */
  | (Base & { kind: 'window'; step: number })
  /** A set of words picked from the connected prompts. */
  | (Base & { kind: 'words'; wordsFrom?: string; maxItems?: number })
  /** word -> number (e.g. the equalizer). */
  | (Base & { kind: 'word-values'; wordsFrom?: string; min?: number; max?: number; step: number })
  /** word -> step window. */
  | (Base & { kind: 'word-windows'; wordsFrom?: string; step: number })
  /** Anything else: edited as JSON text. */
  | (Base & { kind: 'json' });

interface Base {
  name: string;
  label: string;
  description?: string;
  default: unknown;
}

type Schema = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Ranges longer than this many steps are typed, not slid (a seed slider would be useless). */
const MAX_SLIDER_STEPS = 10_000;

/** `guidanceScale` -> `Guidance scale`, `vBeta` -> `V beta`. */
export function paramLabel(name: string): string {
  const spaced = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** A number-or-pair window schema, as WindowSchema serialises. */
function isWindowSchema(s: Schema): boolean {
  const any = s.anyOf;
  if (!Array.isArray(any) || any.length !== 2) return false;
  const [a, b] = any as Schema[];
  return a?.type === 'number' && b?.type === 'array' && Array.isArray(b.prefixItems) && b.prefixItems.length === 2;
}

function numberWidget(base: Base, s: Schema): ParamWidget {
  const integer = s.type === 'integer';
  const min = num(s.minimum) ?? num(s.exclusiveMinimum);
  const max = num(s.maximum) ?? num(s.exclusiveMaximum);
  const metaStep = num(s.step);
  if (str(s.widget) === 'seed') return { ...base, kind: 'seed', min: min ?? 0, max: max ?? 2 ** 32 - 1 };
  // Wide float ranges without a step hint (e.g. +-1e9) are typed: a slider could not hit a value.
  if (min !== undefined && max !== undefined && max > min && (integer || metaStep !== undefined || max - min <= 1000)) {
    const step = metaStep ?? (integer ? 1 : niceStep((max - min) / 100));
    if ((max - min) / step <= MAX_SLIDER_STEPS) return { ...base, kind: 'slider', min, max, step, integer };
  }
  return {
    ...base,
    kind: 'number',
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
    ...(metaStep !== undefined ? { step: metaStep } : integer ? { step: 1 } : {}),
    integer,
  };
}

/** Rounds a raw step to 1, 2 or 5 times a power of ten. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/** The widget for one param's JSON Schema. */
export function widgetFor(name: string, schema: Schema): ParamWidget {
  const base: Base = { name, label: paramLabel(name), default: schema.default };
  const description = str(schema.description);
  if (description) base.description = description;
  const widget = str(schema.widget);
  const wordsFrom = str(schema.wordsFrom);
  const words = wordsFrom !== undefined ? { wordsFrom } : {};
  const step = num(schema.step);
  if (widget === 'words')
    return {
      ...base,
      kind: 'words',
      ...words,
      ...(num(schema.maxItems) !== undefined ? { maxItems: num(schema.maxItems)! } : {}),
    };
  if (widget === 'word-values') {
    const v = (schema.additionalProperties ?? {}) as Schema;
    return {
      ...base,
      kind: 'word-values',
      ...words,
      ...(num(v.minimum) !== undefined ? { min: num(v.minimum)! } : {}),
      ...(num(v.maximum) !== undefined ? { max: num(v.maximum)! } : {}),
      step: step ?? 0.1,
    };
  }
  if (widget === 'word-windows') return { ...base, kind: 'word-windows', ...words, step: step ?? 0.05 };
  if (widget === 'pack') return { ...base, kind: 'pack' };
  if (widget === 'upload') return { ...base, kind: 'upload' };
  if (widget === 'color') return { ...base, kind: 'color' };
  if (isWindowSchema(schema)) return { ...base, kind: 'window', step: step ?? 0.05 };
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string'))
    return { ...base, kind: 'enum', options: schema.enum as string[] };
  switch (schema.type) {
    case 'integer':
    case 'number':
      return numberWidget(base, schema);
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'string': {
      const extra = {
        ...(num(schema.maxLength) !== undefined ? { maxLength: num(schema.maxLength)! } : {}),
        ...(str(schema.pattern) ? { pattern: str(schema.pattern)! } : {}),
      };
      return { ...base, kind: widget === 'textarea' ? 'textarea' : 'text', ...extra };
    }
    default:
      return { ...base, kind: 'json' };
  }
}

/** Every param widget of a node type, in schema order. */
export function paramWidgets(entry: CatalogueEntry): ParamWidget[] {
  const props = (entry.params.properties ?? {}) as Record<string, Schema>;
  return Object.entries(props).map(([name, s]) => widgetFor(name, s));
}

/**
 * The params a node shows before "more" is opened: every param not marked `advanced` in its
 * schema, and any advanced one that differs from its default or has a problem (nothing set is ever
 * hidden). Keeps templates' nodes small enough to read at first sight.
 */
export function shownParams(
  entry: CatalogueEntry,
  params: Readonly<Record<string, unknown>>,
  hasProblem: (name: string) => boolean,
): { shown: Set<string>; hidden: number } {
  const props = (entry.params.properties ?? {}) as Record<string, Schema & { advanced?: boolean }>;
  const shown = new Set<string>();
  let hidden = 0;
  for (const [name, s] of Object.entries(props)) {
    const changed = name in params && stableStringify(params[name]) !== stableStringify(entry.defaults[name] ?? null);
    if (s.advanced !== true || changed || hasProblem(name)) shown.add(name);
    else hidden++;
  }
  return { shown, hidden };
}

/** A param's current value: the node's own, else the catalogue default. */
export function paramValue(
  entry: CatalogueEntry | undefined,
  params: Readonly<Record<string, unknown>>,
  name: string,
): unknown {
  return name in params ? params[name] : entry?.defaults[name];
}

/**
 * A typed number, rounded for integer widgets; an empty field or NaN keeps the old value. Out-of-range values are
 * kept as typed, never silently changed: validation then says, under the field, what the bound is
 * (the server's limit included).
 */
export function coerceNumber(
  widget: Extract<ParamWidget, { kind: 'slider' | 'number' | 'seed' }>,
  raw: string | number,
  previous: unknown,
): unknown {
  // An emptied field (a number input also reports letters as '') is no number: Number('') is 0.
  if (typeof raw === 'string' && raw.trim() === '') return previous;
  let v = typeof raw === 'number' ? raw : Number(raw.trim());
  if (!Number.isFinite(v)) return previous;
  if (widget.kind === 'seed' || widget.integer) v = Math.round(v);
  return v;
}

/** A window value as the [start, end] pair the range editor shows. */
export function windowRange(value: unknown): [number, number] {
  if (typeof value === 'number') return [0, value];
  if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'number') return [value[0], value[1]];
  return [0, 0];
}

/** Back to the compact form: a window starting at 0 saves as its end fraction, as the reference writes it. */
export function windowValue(start: number, end: number): number | [number, number] {
  const a = Math.min(Math.max(start, 0), 1);
  const b = Math.min(Math.max(end, a), 1);
  return a === 0 ? b : [a, b];
}
