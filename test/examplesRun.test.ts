import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkEventOrder, Engine, loadDocument, type RunEvent } from '@ptp/graph-core';
import { createNodeRegistry, readPngText, type OutputFile } from '@ptp/nodes';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/referenceCases.js';

/** Every shipped example runs headless on the tiny pack and writes PNGs that carry their graph. */
const registry = createNodeRegistry();
const backend = new OrtNodeBackend({ provider: 'cpu' });
const engine = new Engine(registry, { backend });
afterAll(() => backend.release());
const examples = readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.json') && f !== 'schedule-preview.json');

describe('examples run end to end', () => {
  it.each(examples)('%s', async (file) => {
    const loaded = loadDocument(readFileSync(path.join(repoRoot, 'examples', file), 'utf8'), { registry });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const doc = loaded.value;
    for (const n of doc.nodes) if ('steps' in n.params) n.params.steps = 6; // keep CI quick; graphs unchanged otherwise
    const events: RunEvent[] = [];
    const result = await engine.run(doc, { onEvent: (e) => events.push(e) });
    expect(result.errors).toEqual([]);
    expect(checkEventOrder(events)).toEqual([]);
    const files = [...result.outputs.values()].flatMap((o) => (Array.isArray(o.files) ? (o.files as OutputFile[]) : []));
    expect(files.length).toBeGreaterThan(0);
    const saved = files.filter((f) => !f.temporary);
    for (const f of saved) {
      const png = readPngText(f.data);
      expect(png.ok && JSON.parse(png.text.workflow!).metadata.name).toBe(doc.metadata.name);
    }
    const edits = doc.nodes.filter((n) => n.type === 'ptp.injectionSchedule').length;
    if (edits) expect(saved.length).toBe(1 + edits); // the source and each edit
  });
});
