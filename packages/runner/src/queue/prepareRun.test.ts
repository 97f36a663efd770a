import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunRequestSchema, type WorkflowDocumentInput } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import { prepareRun } from './prepareRun.js';

const registry = createNodeRegistry();
const generate = JSON.parse(
  readFileSync(
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples/tiny-generate.json'),
    'utf8',
  ),
) as WorkflowDocumentInput;
const request = (workflow: unknown, options: object = {}) => RunRequestSchema.parse({ workflow, options });
const withParams = (id: string, params: object): WorkflowDocumentInput => ({
  ...generate,
  nodes: generate.nodes.map((n) => (n.id === id ? { ...n, params: { ...n.params, ...params } } : n)),
});

describe('prepareRun', () => {
  it('accepts a valid workflow and returns it migrated with its options', () => {
    const prepared = prepareRun(request(generate, { targets: ['save'] }), registry);
    expect(prepared.ok && prepared.value.options).toEqual({ targets: ['save'] });
  });

  it('names the seeds the run samples with, for History', () => {
    const prepared = prepareRun(request(withParams('sample', { seed: 1234 })), registry);
    expect(prepared.ok && prepared.value.seeds).toEqual([1234]);
  });

  it('returns every validation problem of the nodes the run needs, with node and input', () => {
    const broken = { ...generate, edges: generate.edges!.filter((e) => e.to.node !== 'sample') };
    const result = prepareRun(request(broken), registry);
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', nodeId: 'sample' } });
    expect(!result.ok && result.error.errors!.map((e) => e.input).sort()).toEqual(['model', 'prompt']);
    expect(prepareRun(request(generate, { targets: ['nope'] }), registry)).toMatchObject({
      ok: false,
      error: { errors: [expect.objectContaining({ code: 'UNKNOWN_OUTPUT_NODE' })] },
    });
  });

  it('holds steps, image size and batch to the server limits (defaults included)', () => {
    const limits = { maxSteps: 10, maxImageSize: 64, maxBatch: 2 };
    expect(prepareRun(request(withParams('sample', { steps: 10 })), registry, limits).ok).toBe(true);
    const result = prepareRun(request(withParams('sample', { steps: 11, width: 128 })), registry, limits);
    expect(result).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED', nodeId: 'sample' } });
    expect(!result.ok && result.error.errors!.map((e) => e.param).sort()).toEqual(['steps', 'width']);
    // Over the schema's own bound too: the server's figure is the one named, once.
    const far = prepareRun(request(withParams('sample', { steps: 999 })), registry, limits);
    expect(!far.ok && far.error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      errors: [{ nodeId: 'sample', param: 'steps', message: "steps = 999 is over this server's limit of 10" }],
    });
  });

  it('refuses an upload the runner lacks, naming the node and param', () => {
    const real = JSON.parse(
      readFileSync(
        path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples/edit-real-image.json'),
        'utf8',
      ),
    ) as WorkflowDocumentInput;
    const image = real.nodes.find((n) => n.type === 'ptp.loadImage')!;
    const id = image.params!.upload as string;
    expect(prepareRun(request(real), registry, undefined, { uploads: (u) => u === id }).ok).toBe(true);
    const missing = prepareRun(request(real), registry, undefined, { uploads: () => false });
    expect(!missing.ok && missing.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ code: 'UPLOAD_NOT_FOUND', nodeId: image.id, param: 'upload' }],
    });
  });

  it('refuses packs named by path and documents that are not documents', () => {
    expect(prepareRun(request(withParams('model', { pack: '../../secret' })), registry)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', param: 'pack' },
    });
    expect(prepareRun(request({ schemaVersion: 2, nodes: 7 }), registry)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_DOCUMENT' },
    });
  });
});
