/**
 * Renders the pictures the example workflows load (a shape from the tiny-shapes world: palette and
 * geometry as models/ptp_models/shapes_world.py draws them; a two-object scene of the tiny-scenes
 * world, drawn by its TypeScript twin) and stores them content-addressed in
 * examples/uploads, as `POST /api/uploads` would. Deterministic: rerunning writes the same ids.
 *
 *   pnpm exec tsx test/support/makeExampleUploads.ts
 */
import { pathToFileURL } from 'node:url';
import { encodePng, renderScenesImage, type RgbaImage, type Scene } from '@ptp/nodes';
import { BUNDLED_UPLOADS_DIR, DirectoryUploadStore } from '@ptp/runner/uploads/DirectoryUploadStore';

const SIZE = 64;
const RED: [number, number, number] = [0.86, 0.1, 0.1];
const WHITE: [number, number, number] = [0.95, 0.95, 0.95];

/** A filled circle with one pixel of anti-aliasing at the edge (coverage from the signed distance). */
function circle(
  cx: number,
  cy: number,
  r: number,
  fg: [number, number, number],
  bg: [number, number, number],
): RgbaImage {
  const rgba = new Uint8Array(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const d = r - Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const a = Math.min(1, Math.max(0, d + 0.5));
      const o = (y * SIZE + x) * 4;
      for (let c = 0; c < 3; c++) rgba[o + c] = Math.round((fg[c]! * a + bg[c]! * (1 - a)) * 255);
      rgba[o + 3] = 255;
    }
  }
  return { width: SIZE, height: SIZE, rgba };
}

/** A red circle and a blue square on white, apart (examples/edit-chain-scenes.json). */
const TWO_OBJECTS: Scene = {
  background: 'white',
  objects: [
    { shape: 'circle', colour: 'red', size: 'medium', texture: 'plain', cx: 18, cy: 33, r: 9.5 },
    { shape: 'square', colour: 'blue', size: 'medium', texture: 'plain', cx: 45, cy: 30, r: 9.5 },
  ],
};

/** The example pictures: file name, caption, PNG bytes. */
export function examplePictures(): { name: string; caption: string; png: Uint8Array }[] {
  return [
    {
      name: 'red-circle.png',
      caption: 'a red circle on a white background',
      png: encodePng(circle(30, 34, 13, RED, WHITE)),
    },
    {
      name: 'red-circle-blue-square.png',
      caption: 'a red circle and a blue square on a white background',
      png: encodePng(renderScenesImage(TWO_OBJECTS).image),
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const store = new DirectoryUploadStore(BUNDLED_UPLOADS_DIR);
  for (const p of examplePictures()) {
    const rec = await store.put(p.png, p.name, 'image/png');
    console.log(`${rec.id}  ${rec.name}  (${p.caption})`);
  }
}
