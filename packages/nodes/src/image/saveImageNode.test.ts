import { describe, expect, it } from 'vitest';
import { fakeContext } from '../testing/fakePack.js';
import type { ImageBatch } from './ImageBatch.js';
import { readPngText } from './readPngText.js';
import { previewImageNode, saveImageNode, type OutputFile } from './saveImageNode.js';

const solid = (width: number, height: number, v: number) => ({
  width,
  height,
  rgba: new Uint8Array(width * height * 4).fill(v),
});
const image: ImageBatch = { images: [solid(8, 8, 10), solid(8, 4, 200)] };
const workflow = { nodes: { a: { type: 'ptp.prompt' } } };
const save = (params: Record<string, unknown>, wf: unknown = workflow) =>
  saveImageNode.run({ image }, saveImageNode.params.parse(params), { ...fakeContext(), workflow: wf }) as {
    image: ImageBatch;
    files: OutputFile[];
  };

describe('Save image node', () => {
  it('writes one numbered PNG per image with the workflow embedded, and passes the images on', () => {
    const out = save({ prefix: 'cat run' });
    expect(out.image).toBe(image);
    expect(out.files.map((f) => [f.name, f.mime, f.temporary])).toEqual([
      ['cat run_000.png', 'image/png', undefined],
      ['cat run_001.png', 'image/png', undefined],
    ]);
    const text = readPngText(out.files[1]!.data);
    expect(text).toEqual({ ok: true, text: { workflow: JSON.stringify(workflow) } });
    expect(saveImageNode.summarize!(out)).toEqual({ files: ['cat run_000.png', 'cat run_001.png'] });
  });

  it('embeds nothing when asked not to or when there is no workflow; previews are temporary', () => {
    expect(readPngText(save({ embedWorkflow: false }).files[0]!.data)).toEqual({ ok: true, text: {} });
    expect(readPngText(save({}, null).files[0]!.data)).toEqual({ ok: true, text: {} });
    expect(save({}).files[0]!.name).toBe('ptp_000.png');
    const preview = previewImageNode.run({ image }, previewImageNode.params.parse({}), fakeContext()) as {
      files: OutputFile[];
    };
    expect(preview.files.map((f) => [f.name, f.temporary])).toEqual([
      ['preview_000.png', true],
      ['preview_001.png', true],
    ]);
  });

  it('refuses prefixes that are paths, hidden or empty; dots inside are fine', () => {
    for (const prefix of ['../etc', 'a/b', '', 'x'.repeat(65), '.', '..', '.hidden'])
      expect(saveImageNode.params.safeParse({ prefix }).success).toBe(false);
    expect(saveImageNode.params.safeParse({ prefix: 'v1..final' }).success).toBe(true);
  });
});
