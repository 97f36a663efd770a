// An example PtP Studio node package (see docs/node-packages.md). Plain JavaScript, no build
// step and no imports: the studio hands `register` its own defineNode, z and NodeRunError, so
// this one file runs on the server, in `ptp run` and in the editor's browser runtime.

/** @param {{ defineNode: Function, z: any, NodeRunError: any }} api */
export function register({ defineNode, z, NodeRunError }) {
  const invertColors = defineNode({
    // Namespaced: "ptp." is the studio's own, and a type another package has is refused.
    type: 'example.invertColors',
    version: 1,
    title: 'Invert colours',
    category: 'example',
    description: 'Inverts the RGB channels of every image of the batch (alpha is kept); strength blends with the input.',
    inputs: { image: { type: 'IMAGE', label: 'image' } },
    outputs: { image: { type: 'IMAGE', label: 'inverted' } },
    params: z.object({
      strength: z.number().min(0).max(1).default(1).meta({ step: 0.05, description: '0 keeps the image, 1 fully inverts' }),
    }),
    run({ image }, { strength }) {
      if (!image.images.length) throw new NodeRunError('the image batch is empty', { input: 'image' });
      // IMAGE values: { images: [{ width, height, rgba: Uint8Array }] }, 8-bit RGBA, row-major.
      const images = image.images.map(({ width, height, rgba }) => {
        const out = new Uint8Array(rgba.length);
        for (let i = 0; i < rgba.length; i += 4) {
          for (let c = 0; c < 3; c++) out[i + c] = Math.round(rgba[i + c] + strength * (255 - 2 * rgba[i + c]));
          out[i + 3] = rgba[i + 3];
        }
        return { width, height, rgba: out };
      });
      return { image: { images } };
    },
  });
  return [invertColors];
}
