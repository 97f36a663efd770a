import { renderScene, shapesCaption, type ColourName, type RgbaImage, type ShapeScene } from '@ptp/nodes';

/**
 * The inversion bench's pictures: scenes of the tiny-shapes world (packages/nodes shapesWorld)
 * with geometry given for 64 px, rendered at whatever size the pack wants. Rendered here so the
 * figures need no files.
 */
export type Colour = ColourName;
export type ShapePicture = ShapeScene;

export const caption = (p: Pick<ShapePicture, 'colour' | 'shape' | 'background'>): string => shapesCaption(p);

export function renderShape(p: ShapePicture, size: number): RgbaImage {
  const k = size / 64; // signed distances scale with every length, so scaling the scene is exact
  return renderScene({ ...p, cx: p.cx * k, cy: p.cy * k, r: p.r * k }, size).image;
}
