import { describe, expect, it, vi } from 'vitest';
import { UploadPreviews, type ReadUpload } from './UploadPreviews';

const id = (n: number) => n.toString(16).padStart(64, '0');
const picture = { bytes: new Uint8Array([1, 2, 3]), mediaType: 'image/png' };

describe('UploadPreviews', () => {
  it('shows a picture uploaded here without reading it, and reads another once', async () => {
    const read = vi.fn<ReadUpload>(async (at) => (at === id(2) ? picture : undefined));
    const previews = new UploadPreviews(read);
    previews.add(id(1), picture.bytes, picture.mediaType);
    expect(await previews.url(id(1))).toMatch(/^blob:/);
    expect(read).not.toHaveBeenCalled();
    const url = await previews.url(id(2));
    expect(url).toMatch(/^blob:/);
    expect(await previews.url(id(2))).toBe(url);
    expect(read).toHaveBeenCalledTimes(1);
    const blob = await (await fetch(url!)).arrayBuffer();
    expect([...new Uint8Array(blob)]).toEqual([1, 2, 3]);
  });

  it('has no picture for an unknown upload or without a server, and asks again later', async () => {
    const read = vi.fn<ReadUpload>(async () => undefined);
    const previews = new UploadPreviews(read);
    expect(await previews.url(id(3))).toBeUndefined();
    expect(await previews.url(id(3))).toBeUndefined();
    expect(read).toHaveBeenCalledTimes(2); // a miss is not remembered
    expect(
      await new UploadPreviews(vi.fn<ReadUpload>().mockRejectedValue(new Error('down'))).url(id(4)),
    ).toBeUndefined();
    expect(await new UploadPreviews(undefined).url(id(5))).toBeUndefined();
  });

  it('revokes the oldest URLs past its bound', async () => {
    const revoke = vi.spyOn(URL, 'revokeObjectURL');
    const previews = new UploadPreviews(undefined);
    for (let i = 0; i < 66; i++) previews.add(id(i), picture.bytes, picture.mediaType);
    await new Promise((r) => setTimeout(r, 0));
    expect(revoke).toHaveBeenCalledTimes(2);
    revoke.mockRestore();
  });
});
