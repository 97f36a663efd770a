import type { RgbaImage } from '../image/ImageBatch.js';
import { dilateMask, maskedPsnr, maskIoU } from '../metrics/editMetrics.js';
import { psnr } from '../metrics/imageMetrics.js';
import { judgeScenesImage, type SceneJudgement } from '../metrics/scenesJudge.js';
import { scoreScene } from '../metrics/scenesScore.js';
import { captionAsScene, keptObjectMask, sameLabels } from '../metrics/scenesEditMetrics.js';
import { parseScenesCaption, type SceneCaptionLabels } from '../metrics/scenesWorld.js';
import type { ChainMeter, ChainTurnFigures } from './chainMeter.js';

/**
 * Drift of each turn of an edit chain on a tiny-scenes picture (1 to 3 objects on a background),
 * against the ORIGINAL (issue 15: "untouched-object PSNR and background PSNR against the original,
 * structure IoU"):
 *
 * - `untouchedPsnr`: the lowest PSNR over the objects that no turn so far changed (their labels in
 *   this turn's target caption are those of the original caption), each over the original object's
 *   pixels dilated by `dilate`, or eroded by it once the background has changed (as Edit metrics,
 *   `keptObjectMask`); NaN once every object has been changed;
 * - `backgroundPsnr`: outside every object of the original and of this turn, dilated (low by design
 *   once a turn has changed the background: `untouched` then no longer lists it);
 * - `iou` / `stepIou`: foreground IoU against the original / the previous turn;
 * - `success`: this turn's whole target caption is seen (every object's colour and shape, the count
 *   and the background), so a later turn also checks that earlier edits survived;
 * - `psnr`: whole-picture PSNR against the original.
 * `untouched` names what was left alone, e.g. "objects 2,3 + background".
 */
export function scenesChainMeter(original: RgbaImage, dilate: number): ChainMeter {
  const W = original.width;
  const H = original.height;
  const jo = judgeScenesImage(original);
  // The original's caption (turn 1's source) and its objects, found once per chain.
  let first: { labels: SceneCaptionLabels; assigned: ReturnType<typeof scoreScene>['assigned'] } | undefined;
  let previous: SceneJudgement = jo;
  const measure = (image: RgbaImage, sourceText: string, targetText: string, prior: SceneJudgement) => {
    if (!first) {
      const labels = parseScenesCaption(sourceText);
      first = {
        labels,
        assigned: scoreScene(captionAsScene(labels.objects, labels.background ?? jo.background), jo).assigned,
      };
    }
    const want = parseScenesCaption(targetText);
    const ji = judgeScenesImage(image);
    const { labels, assigned } = first;
    const kept = labels.objects.flatMap((o, k) => (sameLabels(o, want.objects[k]) ? [k] : []));
    const backgroundKept = want.background === undefined || want.background === labels.background;
    const keptPsnr = kept.map((k) => {
      const obj = assigned[k];
      return obj ? maskedPsnr(original, image, keptObjectMask(obj, W, H, dilate, !backgroundKept)) : Number.NaN;
    });
    const union = jo.foreground.map((v, i) => v | ji.foreground[i]!);
    const outside = dilateMask(union, W, H, dilate).map((v) => 1 - v);
    const s = scoreScene(captionAsScene(want.objects, want.background ?? ji.background), ji);
    const figures: ChainTurnFigures = {
      values: {
        iou: maskIoU(jo.foreground, ji.foreground),
        stepIou: maskIoU(prior.foreground, ji.foreground),
        backgroundPsnr: maskedPsnr(original, image, outside),
        untouchedPsnr: keptPsnr.length ? Math.min(...keptPsnr) : Number.NaN,
        success: s.colour === s.objects && s.shape === s.objects && s.countRight && s.backgroundRight ? 1 : 0,
        psnr: psnr(original, image),
      },
      untouched:
        [kept.length ? `objects ${kept.map((k) => k + 1).join(',')}` : '', backgroundKept ? 'background' : '']
          .filter(Boolean)
          .join(' + ') || 'none',
    };
    return { figures, judgement: ji };
  };
  return {
    turn(image, sourceText, targetText) {
      const r = measure(image, sourceText, targetText, previous);
      previous = r.judgement;
      return r.figures;
    },
    oneStep(image, sourceText, targetText) {
      return measure(image, sourceText, targetText, jo).figures;
    },
  };
}
