import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkEventOrder, Engine, loadDocument, validateGraph, type RunEvent } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';

const examplesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../examples');
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.json'));
const registry = createNodeRegistry();

describe('shipped examples', () => {
  it('exist', () => expect(examples.length).toBeGreaterThan(0));

  it.each(examples)('%s loads and validates with no problems', (file) => {
    const loaded = loadDocument(readFileSync(path.join(examplesDir, file), 'utf8'), { registry });
    expect(loaded.ok && loaded.warnings).toEqual([]);
    if (!loaded.ok) return;
    const report = validateGraph(loaded.value, registry);
    expect([...report.errors, ...report.warnings]).toEqual([]);
  });

  it('schedule-preview runs end to end with a valid event stream', async () => {
    const loaded = loadDocument(readFileSync(path.join(examplesDir, 'schedule-preview.json'), 'utf8'), { registry });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const events: RunEvent[] = [];
    const result = await new Engine(registry).run(loaded.value, { onEvent: (e) => events.push(e) });
    expect(result.status).toBe('success');
    expect(checkEventOrder(events)).toEqual([]);
    expect(result.outputs.get('show')!.summary).toMatchObject({ mode: 'replace', cross: { default: 0.8 }, self: 0.4 });
    expect(result.outputs.get('showBlend')!.summary).toMatchObject({
      sourceWords: ['circle'],
      targetWords: ['circle'],
      k: 0.3,
    });
  });
});
