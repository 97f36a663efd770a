import { describe, expect, it } from 'vitest';
import {
  coerceNumber,
  paramLabel,
  paramWidgets,
  widgetFor,
  windowRange,
  windowValue,
  type ParamWidget,
} from './paramWidgets';
import { testIndex } from './testSupport';

const widgets = (type: string) =>
  Object.fromEntries(paramWidgets(testIndex().byType.get(type)!).map((w) => [w.name, w])) as Record<
    string,
    ParamWidget
  >;

describe('param widgets from the catalogue JSON Schema', () => {
  it('makes bounded numbers sliders with the step from .meta, integers stepping by 1', () => {
    const t2i = widgets('ptp.textToImage');
    expect(t2i.steps).toMatchObject({ kind: 'slider', min: 1, max: 500, step: 1, integer: true, default: 20 });
    expect(t2i.guidance).toMatchObject({ kind: 'slider', min: 0, max: 30, step: 0.5, integer: false });
    expect(t2i.width).toMatchObject({ kind: 'slider', min: 0, max: 2048, step: 8 });
    expect(t2i.scheduler).toMatchObject({
      kind: 'enum',
      options: ['pack', 'pndm', 'ddim', 'euler', 'euler-ancestral'],
    });
    expect(t2i.seed).toMatchObject({ kind: 'seed', min: 0, max: 4294967295 });
  });

  it('gives prompts a text area and word params a word picker fed by the named input', () => {
    expect(widgets('ptp.prompt').text).toMatchObject({ kind: 'textarea', maxLength: 2000, label: 'Text' });
    const blend = widgets('ptp.blend');
    expect(blend.sourceWords).toMatchObject({ kind: 'words', wordsFrom: 'source', maxItems: 16 });
    expect(blend.targetWords).toMatchObject({ kind: 'words', wordsFrom: 'target' });
    expect(blend.k).toMatchObject({ kind: 'slider', step: 0.05 });
    expect(widgets('ptp.attentionViewer').words).toMatchObject({ kind: 'words' });
  });

  it('recognises step windows, per-word tables, colours, uploads and packs', () => {
    const s = widgets('ptp.injectionSchedule');
    expect(s.cross).toMatchObject({ kind: 'window', step: 0.05, default: 0.8 });
    expect(s.equalizer).toMatchObject({ kind: 'word-values', min: -10, max: 20 });
    expect(s.crossWords).toMatchObject({ kind: 'word-windows' });
    expect(s.mode).toMatchObject({ kind: 'enum' });
    const load = widgets('ptp.loadImage');
    expect(load.background!.kind).toBe('color');
    expect(load.upload!.kind).toBe('upload');
    expect(widgets('ptp.loadModel').pack!.kind).toBe('pack');
    expect(widgets('ptp.saveImage').embedWorkflow!.kind).toBe('boolean');
    expect(widgets('ptp.saveImage').prefix).toMatchObject({
      kind: 'text',
      pattern: '^[A-Za-z0-9 _-][A-Za-z0-9 _.-]{0,63}$',
    });
  });

  it('falls back to number inputs for huge ranges and JSON for unknown shapes', () => {
    expect(widgetFor('value', { type: 'number', minimum: -1e9, maximum: 1e9 })).toMatchObject({
      kind: 'number',
      min: -1e9,
      max: 1e9,
    });
    expect(widgetFor('x', { type: 'number' })).toMatchObject({ kind: 'number' });
    expect(widgetFor('obj', { type: 'object' })).toMatchObject({ kind: 'json' });
    expect(widgetFor('f', { type: 'number', minimum: 0, maximum: 1 })).toMatchObject({ kind: 'slider', step: 0.01 });
  });

  it('clamps and rounds typed numbers, keeping the old value for garbage', () => {
    const steps = widgets('ptp.textToImage').steps as Extract<ParamWidget, { kind: 'slider' }>;
    expect(coerceNumber(steps, '12.6', 50)).toBe(13);
    // Kept as typed: validation names the bound instead of the field changing the number.
    expect(coerceNumber(steps, '9999', 50)).toBe(9999);
    expect(coerceNumber(steps, 'abc', 50)).toBe(50);
    // What a number input reports for letters or an emptied field: not 0.
    expect(coerceNumber(steps, '', 50)).toBe(50);
    expect(coerceNumber(steps, '  ', 50)).toBe(50);
    expect(coerceNumber(steps, -3, 50)).toBe(-3);
  });

  it('converts windows between the compact form and ranges', () => {
    expect(windowRange(0.8)).toEqual([0, 0.8]);
    expect(windowRange([0.2, 0.6])).toEqual([0.2, 0.6]);
    expect(windowValue(0, 0.5)).toBe(0.5);
    expect(windowValue(0.3, 0.2)).toEqual([0.3, 0.3]);
    expect(paramLabel('selfResolutionDivisor')).toBe('Self resolution divisor');
  });
});
