import type { RgbaImage } from '../image/ImageBatch.js';
import { dilateMask, erodeMask, maskedPsnr, maskIoU } from './editMetrics.js';
import { judgeScenesImage, type JudgedObject } from './scenesJudge.js';
import { scoreScene } from './scenesScore.js';
import { parseScenesCaption, type ObjectLabels, type Scene, type SceneObject } from './scenesWorld.js';

/**
 * How well an edit of a tiny-scenes picture changed the objects the target caption changes and
 * kept the others (issue 13: "a colour swap of one object keeps the other objects, PSNR >= 30 dB"):
 *
 * - `changed`: indices (caption order) of the objects whose words differ between the captions;
 * - `backgroundChanged`: the captions name different backgrounds;
 * - `editedRight`: every changed object, as judged in the edit, has the target's colour and shape
 *   (and its size where the size word changed: "small", none = medium, "large"), and a changed
 *   background is the target's;
 * - `keptPsnr`: per unchanged object, PSNR (dB) between source and edit over the source object's
 *   pixels dilated by `dilate` (a kept object that moved or grew shows), or eroded by it when the
 *   background changed (its anti-aliased edge mixes in the old background, and the ring around it
 *   is new background by design); +Infinity when identical, NaN when the source object was not
 *   found; `keptPsnrMin` the lowest (NaN when none);
 * - `backgroundPsnr`: outside the union of all judged objects of both pictures, dilated;
 * - `structureIoU`: IoU of the two foreground masks.
 * Objects are found by the scenes judge and assigned to the caption's objects by scoreScene.
 */
export interface ScenesEditMeasurement {
  readonly changed: readonly number[];
  readonly backgroundChanged: boolean;
  readonly editedRight: boolean;
  readonly keptPsnr: readonly number[];
  readonly keptPsnrMin: number;
  readonly backgroundPsnr: number;
  readonly structureIoU: number;
  /** Foreground masks (1 = object) of source and edit, and the background compared (1 = compared). */
  readonly masks: { readonly source: Uint8Array; readonly edit: Uint8Array; readonly outside: Uint8Array };
}

/** A caption's objects as a Scene for scoreScene (positions unknown; only labels are compared). */
export function captionAsScene(labels: readonly ObjectLabels[], background: Scene['background']): Scene {
  const objects = labels.map((l): SceneObject => ({
    shape: l.shape ?? 'circle',
    colour: l.colour ?? 'red',
    size: l.size ?? 'medium',
    texture: l.texture ?? 'plain',
    cx: 0,
    cy: 0,
    r: 0,
  }));
  return { background, objects };
}

/** Two caption objects name the same colour, shape, size and texture. */
export const sameLabels = (a: ObjectLabels | undefined, b: ObjectLabels | undefined) =>
  a?.colour === b?.colour && a?.shape === b?.shape && a?.size === b?.size && a?.texture === b?.texture;

/** The pixels a kept object is compared over (see `keptPsnr`). */
export function keptObjectMask(
  obj: JudgedObject,
  W: number,
  H: number,
  dilate: number,
  backgroundChanged: boolean,
): Uint8Array {
  const m = maskOf([obj], W * H);
  return backgroundChanged ? erodeMask(m, W, H, dilate) : dilateMask(m, W, H, dilate);
}

function maskOf(objects: readonly (JudgedObject | undefined)[], n: number): Uint8Array {
  const m = new Uint8Array(n);
  for (const o of objects) if (o) for (const p of o.indices) m[p] = 1;
  return m;
}

export interface ScenesEditOptions {
  /** Pixels the masks grow by before comparing (default 1). */
  readonly dilate?: number;
  /**
   * The caption the edit should match, when not the target prompt: a reweight keeps the prompt
   * and changes what it draws ("a small blue square" with "small" weighted down should give a
   * medium one).
   */
  readonly expected?: string;
}

export function measureScenesEdit(
  source: RgbaImage,
  edit: RgbaImage,
  sourceCaption: string,
  targetCaption: string,
  options: ScenesEditOptions = {},
): ScenesEditMeasurement {
  const dilate = options.dilate ?? 1;
  const W = source.width;
  const H = source.height;
  const want = parseScenesCaption(sourceCaption);
  const target = parseScenesCaption(options.expected || targetCaption);
  const js = judgeScenesImage(source);
  const je = judgeScenesImage(edit);
  const src = scoreScene(captionAsScene(want.objects, want.background ?? js.background), js);
  const dst = scoreScene(captionAsScene(target.objects, target.background ?? je.background), je);
  const changed = want.objects.flatMap((o, k) => (sameLabels(o, target.objects[k]) ? [] : [k]));
  const backgroundChanged = !!want.background && !!target.background && want.background !== target.background;
  const editedRight =
    (!backgroundChanged || je.background === target.background) &&
    changed.every((k) => {
      const got = dst.assigned[k];
      const t = target.objects[k];
      if (!got || !t || got.colour !== t.colour || got.shape !== t.shape) return false;
      const size = t.size ?? 'medium';
      return size === (want.objects[k]?.size ?? 'medium') || got.size === size;
    });
  const keptPsnr = want.objects.flatMap((_, k) => {
    if (changed.includes(k)) return [];
    const obj = src.assigned[k];
    return [obj ? maskedPsnr(source, edit, keptObjectMask(obj, W, H, dilate, backgroundChanged)) : NaN];
  });
  const union = maskOf([...js.objects, ...je.objects], W * H);
  const outside = dilateMask(union, W, H, dilate).map((v) => 1 - v);
  return {
    changed,
    backgroundChanged,
    editedRight,
    keptPsnr,
    keptPsnrMin: keptPsnr.length ? Math.min(...keptPsnr) : NaN,
    backgroundPsnr: maskedPsnr(source, edit, outside),
    structureIoU: maskIoU(js.foreground, je.foreground),
    masks: { source: js.foreground, edit: je.foreground, outside },
  };
}
