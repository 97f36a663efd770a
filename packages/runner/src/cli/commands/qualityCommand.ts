import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng, measureQuality, SCHEDULER_KINDS, type SchedulerKind } from '@ptp/nodes';
import { PROVIDERS } from '../../backends/providers.js';
import { contactSheet } from '../../study/contactSheet.js';
import { formatQualityReport, qualityJson } from '../../study/qualityTable.js';
import { EXIT, resolveUserPath, UsageError, type Command } from '../cliSupport.js';
import { localBackend } from '../localSetup.js';

function intOption(name: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new UsageError(`--${name} must be an integer in ${min}..${max}, got "${raw}"`);
  return v;
}

/**
 * `ptp quality`: draws tiny-shapes captions, generates them with the pack, judges them with the
 * shape classifier and prints how often the prompted colour, shape and background were drawn,
 * against the bars (90 / 80 / 95 %).
 */
export const qualityCommand: Command = async (args, io) => {
  const { values } = parseArgs({
    args,
    options: {
      pack: { type: 'string', default: 'tiny-shapes' },
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
    },
    strict: true,
  });
  if (!(PROVIDERS as readonly string[]).includes(values.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  if (!(SCHEDULER_KINDS as readonly string[]).includes(values.scheduler))
    throw new UsageError(`--scheduler must be one of ${SCHEDULER_KINDS.join(', ')}`);
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
  const backend = localBackend(values);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const pack = await backend.loadPack(values.pack);
    let lastTenth = -1;
    const report = await measureQuality({
      pack,
      ...options,
      signal: controller.signal,
      onProgress: (done, total) => {
        const tenth = Math.floor((10 * done) / total);
        if (tenth !== lastTenth) io.err(`  ${done}/${total} samples`);
        lastTenth = tenth;
      },
    });
    if (values.out) {
      const dir = resolveUserPath(values.out);
      await mkdir(dir, { recursive: true });
      const ok = report.items.map(
        (i) => i.got.colour === i.want.colour && i.got.shape === i.want.shape && i.got.background === i.want.background,
      );
      await writeFile(path.join(dir, 'samples.png'), encodePng(contactSheet(report.images.images, ok)));
      await writeFile(path.join(dir, 'quality.json'), `${JSON.stringify(qualityJson(report), null, 2)}\n`);
      io.err(`wrote ${path.join(dir, 'samples.png')} and quality.json`);
    }
    io.out(values.json ? JSON.stringify(qualityJson(report), null, 2) : formatQualityReport(report));
    const pass = Object.values(report.pass).every(Boolean);
    return values['fail-below'] && !pass ? EXIT.failed : EXIT.ok;
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
