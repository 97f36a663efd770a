import { describe, expect, it } from 'vitest';
import { checkConnection } from './isValidConnection';
import { node, testIndex } from './testSupport';
import type { EditorEdge } from './editorGraph';

const nodes = [
  node('model', 'ptp.loadModel'),
  node('src', 'ptp.prompt'),
  node('dst', 'ptp.prompt'),
  node('capture', 'ptp.captureSource'),
  node('sched', 'ptp.injectionSchedule'),
  node('sched2', 'ptp.injectionSchedule'),
  node('sampler', 'ptp.editSampler'),
  node('decode', 'ptp.decode'),
  node('save', 'ptp.saveImage'),
  node('show', 'ptp.showValue'),
  node('alien', 'plugin.unknown'),
  node('r1', 'ptp.reroute'),
  node('r2', 'ptp.reroute'),
];
const edge = (source: string, sourceHandle: string, target: string, targetHandle: string): EditorEdge => ({
  id: `${source}.${sourceHandle}->${target}.${targetHandle}`,
  source,
  sourceHandle,
  target,
  targetHandle,
});
const edges = [
  edge('model', 'model', 'capture', 'model'),
  edge('src', 'prompt', 'capture', 'prompt'),
  edge('sched', 'schedule', 'sampler', 'edits'),
  edge('decode', 'image', 'save', 'image'),
];
const check = (s: string, sh: string, t: string, th: string, e = edges) =>
  checkConnection({ source: s, sourceHandle: sh, target: t, targetHandle: th }, nodes, e, testIndex());

describe('checkConnection', () => {
  it('types a reroute by what feeds it, through chains; an empty one takes anything', () => {
    const through = [...edges, edge('decode', 'image', 'r1', 'input'), edge('r1', 'output', 'r2', 'input')];
    expect(check('r2', 'output', 'save', 'image', through)).toMatchObject({ ok: true });
    expect(check('r2', 'output', 'capture', 'prompt', through)).toMatchObject({
      ok: false,
      code: 'TYPE_MISMATCH',
      message: 'input "prompt" takes PROMPT but "output" gives IMAGE',
    });
    expect(check('r1', 'output', 'capture', 'prompt')).toMatchObject({ ok: true }); // r1 holds nothing yet
    expect(check('src', 'prompt', 'r1', 'input')).toMatchObject({ ok: true });
  });

  it('accepts matching socket types', () => {
    expect(check('capture', 'source', 'sampler', 'source')).toEqual({ ok: true });
    expect(check('src', 'prompt', 'show', 'value')).toEqual({ ok: true }); // anything into ANY
  });

  it('accepts the widenings the catalogue lists (SOURCE -> LATENT, declared by the nodes package)', () => {
    expect(check('capture', 'source', 'decode', 'latent')).toEqual({ ok: true });
  });

  it('refuses a socket type mismatch with both types named', () => {
    const r = check('src', 'prompt', 'decode', 'latent');
    expect(r).toMatchObject({ ok: false, code: 'TYPE_MISMATCH' });
    expect(!r.ok && r.message).toMatch(/LATENT.*PROMPT/);
    expect(check('decode', 'image', 'capture', 'prompt')).toMatchObject({ ok: false, code: 'TYPE_MISMATCH' });
  });

  it('replaces the link of a single input, and adds more into a multi input', () => {
    expect(check('dst', 'prompt', 'capture', 'prompt')).toEqual({ ok: true, replaces: 'src.prompt->capture.prompt' });
    expect(check('sched2', 'schedule', 'sampler', 'edits')).toEqual({ ok: true });
    expect(check('sched', 'schedule', 'sampler', 'edits')).toMatchObject({ ok: false, code: 'DUPLICATE' });
  });

  it('refuses self-loops', () => {
    expect(check('src', 'prompt', 'src', 'prompt')).toMatchObject({ ok: false, code: 'SELF_LOOP' });
  });

  it('detects a cycle between compatible sockets', () => {
    const ns = [node('a', 'ptp.saveImage'), node('b', 'ptp.previewImage'), node('c', 'ptp.saveImage')];
    const es = [edge('a', 'image', 'b', 'image'), edge('b', 'image', 'c', 'image')];
    expect(
      checkConnection({ source: 'c', sourceHandle: 'image', target: 'a', targetHandle: 'image' }, ns, es, testIndex()),
    ).toMatchObject({ ok: false, code: 'CYCLE' });
    expect(
      checkConnection({ source: 'a', sourceHandle: 'image', target: 'c', targetHandle: 'image' }, ns, es, testIndex()),
    ).toEqual({ ok: true, replaces: 'b.image->c.image' });
    // A replacement that would close a loop is still refused: b feeds c, so c cannot feed b.
    expect(
      checkConnection({ source: 'c', sourceHandle: 'image', target: 'b', targetHandle: 'image' }, ns, es, testIndex()),
    ).toMatchObject({ ok: false, code: 'CYCLE' });
  });

  it('refuses unknown sockets, unknown node types and half-made connections', () => {
    expect(check('src', 'nope', 'capture', 'negative')).toMatchObject({ ok: false, code: 'UNKNOWN_SOCKET' });
    expect(check('alien', 'x', 'capture', 'negative')).toMatchObject({ ok: false, code: 'UNKNOWN_NODE' });
    expect(
      checkConnection(
        { source: 'src', sourceHandle: null, target: 'capture', targetHandle: 'negative' },
        nodes,
        edges,
        testIndex(),
      ),
    ).toMatchObject({ ok: false, code: 'INCOMPLETE' });
  });
});
