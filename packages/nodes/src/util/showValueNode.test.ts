import { describe, expect, it } from 'vitest';
import { fakeContext } from '../testing/fakePack.js';
import { showValueNode } from './showValueNode.js';

const show = (value: unknown) =>
  (showValueNode.run({ value }, showValueNode.params.parse({}), fakeContext()) as { summary: unknown }).summary;

describe('Show value node', () => {
  it('summarises typed arrays by kind and length, never their data', () => {
    expect(show({ data: new Float32Array(256), dims: [1, 4, 8, 8], packId: 'fake' })).toEqual({
      data: { kind: 'Float32Array', length: 256 },
      dims: [1, 4, 8, 8],
      packId: 'fake',
    });
  });

  it('passes numbers through, shortens long strings and shows nothing for a missing value', () => {
    expect(show(3.5)).toBe(3.5);
    expect(show('x'.repeat(300))).toBe(`${'x'.repeat(200)}...`);
    expect(show(undefined)).toBeNull();
    expect(showValueNode.params.parse({})).toEqual({});
  });
});
