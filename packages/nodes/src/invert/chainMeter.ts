import type { RgbaImage } from '../image/ImageBatch.js';
import { judgeShapeImage } from '../metrics/shapeClassifier.js';
import { SCENE_SIZE } from '../metrics/scenesWorld.js';
import { changedLabels, turnDrift, untouchedRegion } from './chainDrift.js';
import { scenesChainMeter } from './scenesChainDrift.js';

/** One turn's figures, flat (the node prefixes them "turnK."), and what the turn had to leave alone. */
export interface ChainTurnFigures {
  readonly values: Readonly<Record<string, number>>;
  readonly untouched: string;
}

/**
 * Measures the turns of an edit chain against its original picture. Each picture is judged once:
 * `turn` is called for turns 1..N in order (each against the previous), `oneStep` for the combined
 * edit applied to the original.
 */
export interface ChainMeter {
  turn(image: RgbaImage, sourceText: string, targetText: string): ChainTurnFigures;
  oneStep(image: RgbaImage, sourceText: string, targetText: string): ChainTurnFigures;
}

/** The meter of the picture's world: tiny-scenes for 64 px pictures, else tiny-shapes. */
export function chainMeter(original: RgbaImage, dilate: number): ChainMeter {
  return original.width === SCENE_SIZE && original.height === SCENE_SIZE
    ? scenesChainMeter(original, dilate)
    : shapesChainMeter(original, dilate);
}

function shapesChainMeter(original: RgbaImage, dilate: number): ChainMeter {
  const originalJudgement = judgeShapeImage(original);
  const changed: ReturnType<typeof changedLabels>[] = [];
  let previous = original;
  let previousJudgement = originalJudgement;
  return {
    turn(image, sourceText, targetText) {
      changed.push(changedLabels(sourceText, targetText));
      const untouched = untouchedRegion(changed, changed.length - 1);
      const d = turnDrift({
        original,
        previous,
        image,
        target: targetText,
        untouched,
        dilate,
        originalJudgement,
        previousJudgement,
      });
      [previous, previousJudgement] = [image, d.judgement];
      return d;
    },
    oneStep(image, sourceText, targetText) {
      const untouched = untouchedRegion([changedLabels(sourceText, targetText)], 0);
      const d = turnDrift({
        original,
        previous: original,
        image,
        target: targetText,
        untouched,
        dilate,
        originalJudgement,
        previousJudgement: originalJudgement,
      });
      return { values: d.values, untouched: d.untouched };
    },
  };
}
