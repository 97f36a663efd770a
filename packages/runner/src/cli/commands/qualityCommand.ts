import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  encodePng,
  measureQuality,
  measureScenesQuality,
  SCHEDULER_KINDS,
  type ImageBatch,
  type SchedulerKind,
} from '@ptp/nodes';
import { PROVIDERS } from '../../backends/providers.js';
import { contactSheet } from '../../study/contactSheet.js';
import { formatQualityReport, qualityJson } from '../../study/qualityTable.js';
import { formatScenesQualityReport, scenesQualityJson } from '../../study/scenesQualityTable.js';
import { EXIT, resolveUserPath, UsageError, type Command } from '../cliSupport.js';
import { localBackend } from '../localSetup.js';

function intOption(name: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new UsageError(`--${name} must be an integer in ${min}..${max}, got "${raw}"`);
  return v;
}

const WORLDS = ['auto', 'shapes', 'scenes'] as const;

interface Measured {
  text: string;
  json: unknown;
  images: ImageBatch['images'];
  ok: boolean[];
  /** The figures under their bar (empty: all pass). */
  below: string[];
}

/**
 * `ptp quality`: draws captions of the pack's world, generates them with the pack, judges them and
 * prints how often the prompted things were drawn, against the issues' bars. tiny-shapes world
 * (default for other packs): prompted colour, shape and background (90 / 80 / 95 %). tiny-scenes
 * world (`--world scenes`, the default for a pack whose id contains "scenes"): per object colour
 * and shape, object count and background (90 / 80 / 90 / 95 %) and the attention IoU of each
 * object word (>= 0.5) on the first `--iou-scenes` samples.
 */
const belowBars = (pass: Record<string, boolean>) =>
  Object.entries(pass)
    .filter(([, ok]) => !ok)
    .map(([label]) => label);

/** What `ptp quality` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const QUALITY_OPTIONS = {
  pack: { type: 'string', default: 'tiny-scenes' },
  packs: { type: 'string', multiple: true },
  samples: { type: 'string', default: '240' },
  steps: { type: 'string', default: '20' },
  guidance: { type: 'string', default: '7.5' },
  scheduler: { type: 'string', default: 'pack' },
  seed: { type: 'string', default: '0' },
  batch: { type: 'string', default: '32' },
  provider: { type: 'string', default: 'cpu' },
  out: { type: 'string' },
  json: { type: 'boolean', default: false },
  'fail-below': { type: 'boolean', default: false },
  world: { type: 'string', default: 'auto' },
  'iou-scenes': { type: 'string', default: '100' },
} as const;

export const qualityCommand: Command = async (args, io) => {
  const { values } = parseArgs({
    args,
    options: QUALITY_OPTIONS,
    strict: true,
  });
  if (!(PROVIDERS as readonly string[]).includes(values.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  if (!(SCHEDULER_KINDS as readonly string[]).includes(values.scheduler))
    throw new UsageError(`--scheduler must be one of ${SCHEDULER_KINDS.join(', ')}`);
  if (!(WORLDS as readonly string[]).includes(values.world))
    throw new UsageError(`--world must be one of ${WORLDS.join(', ')}`);
  const iouScenes = intOption('iou-scenes', values['iou-scenes'], 0, 100_000);
  const guidance = Number(values.guidance);
  if (!Number.isFinite(guidance) || guidance < 0 || guidance > 30)
    throw new UsageError(`--guidance must be a number in 0..30, got "${values.guidance}"`);
  const options = {
    samples: intOption('samples', values.samples, 1, 100_000),
    steps: intOption('steps', values.steps, 1, 500),
    seed: intOption('seed', values.seed, 0, 2 ** 32 - 1),
    batch: intOption('batch', values.batch, 1, 256),
    guidance,
    scheduler: values.scheduler as SchedulerKind,
  };
  const backend = localBackend(values, io);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const pack = await backend.loadPack(values.pack);
    let lastTenth = -1;
    const common = {
      pack,
      ...options,
      signal: controller.signal,
      onProgress: (done: number, total: number) => {
        const tenth = Math.floor((10 * done) / total);
        if (tenth !== lastTenth) io.err(`  ${done}/${total} samples`);
        lastTenth = tenth;
      },
    };
    const scenes = values.world === 'scenes' || (values.world === 'auto' && pack.id.includes('scenes'));
    let m: Measured;
    if (scenes) {
      const report = await measureScenesQuality({ ...common, iouScenes });
      m = {
        text: formatScenesQualityReport(report),
        json: scenesQualityJson(report),
        images: report.images.images,
        ok: report.items.map(
          (i) => i.colour === i.objects && i.shape === i.objects && i.countRight && i.backgroundRight,
        ),
        below: belowBars(report.pass),
      };
    } else {
      const report = await measureQuality(common);
      m = {
        text: formatQualityReport(report),
        json: qualityJson(report),
        images: report.images.images,
        ok: report.items.map(
          (i) =>
            i.got.colour === i.want.colour && i.got.shape === i.want.shape && i.got.background === i.want.background,
        ),
        below: belowBars(report.pass),
      };
    }
    if (values.out) {
      const dir = resolveUserPath(values.out);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'samples.png'), encodePng(contactSheet(m.images, m.ok)));
      await writeFile(path.join(dir, 'quality.json'), `${JSON.stringify(m.json, null, 2)}\n`);
      io.err(`wrote ${path.join(dir, 'samples.png')} and quality.json`);
    }
    io.out(values.json ? JSON.stringify(m.json, null, 2) : m.text);
    if (values['fail-below'] && m.below.length) {
      io.err(`below the bar: ${m.below.join(', ')} (--fail-below)`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } catch (err) {
    if (controller.signal.aborted) {
      io.err('interrupted');
      return EXIT.failed;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    await backend.release();
  }
};
