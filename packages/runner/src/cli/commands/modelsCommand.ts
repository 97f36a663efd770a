import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_SELF_CONTROL_DIVISOR, importPack, PtpPackError } from '../../onnx/index.js';
import type { PtpManifest } from '@ptp/nodes/diffusion';
import { EXIT, resolveUserPath, UsageError, type Command } from '../cliSupport.js';
import { closestWord } from '../closestWord.js';
import { localBackend } from '../localSetup.js';

/** What `ptp models import` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const MODELS_IMPORT_OPTIONS = {
  name: { type: 'string' },
  json: { type: 'boolean', default: false },
  'no-plain': { type: 'boolean', default: false },
  'fuse-uncontrolled': { type: 'boolean', default: false },
  'no-fuse-uncontrolled': { type: 'boolean', default: false },
  'self-control-divisor': { type: 'string' },
} as const;

/** What `ptp models list` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const MODELS_LIST_OPTIONS = { packs: { type: 'string', multiple: true } } as const;

/**
 * `ptp models import <export-dir> <pack-dir> [--name N] [--no-plain] [--no-fuse-uncontrolled]
 * [--self-control-divisor D] [--json]` and `ptp models list [--packs DIR]...`.
 */
export const modelsCommand: Command = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === 'import') {
    const { values, positionals } = parseArgs({
      args: rest,
      options: MODELS_IMPORT_OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 2) throw new UsageError('models import takes <export-dir> <pack-dir>');
    const [exportDir, packDir] = positionals.map(resolveUserPath) as [string, string];
    const found = statSync(exportDir, { throwIfNoEntry: false });
    if (!found?.isDirectory())
      throw new UsageError(
        `${exportDir}: ${found ? 'is a file' : 'no such folder'}; <export-dir> is the folder of an ONNX export (unet/, text_encoder/, vae_decoder/...)`,
        { showUsage: false },
      );
    if (values['fuse-uncontrolled'] && values['no-fuse-uncontrolled'])
      throw new UsageError('choose one of --fuse-uncontrolled and --no-fuse-uncontrolled');
    const divisor = parseDivisor(values['self-control-divisor']);
    try {
      const started = Date.now();
      const { manifest } = await importPack(exportDir, packDir, {
        ...(values.name ? { name: values.name } : {}),
        ...(values['no-plain'] ? { keepPlainMaxBytes: 0 } : {}),
        fuseUncontrolled: !values['no-fuse-uncontrolled'],
        ...(divisor === undefined ? {} : { selfControlDivisor: divisor }),
      });
      const self = manifest.layers.filter((l) => l.kind === 'self').length;
      if (values.json) io.out(JSON.stringify({ ok: true, packDir, manifest }, null, 2));
      else {
        io.out(`imported ${exportDir} -> ${packDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        io.out(
          `  ${manifest.layers.length} attention layers (${self} self, ${manifest.layers.length - self} cross), token length ${manifest.tokenLength}`,
        );
        io.out(
          `  resolution groups: ${manifest.resolutionGroups.map((g) => `${g.name} (${g.crossLayers.length} cross)`).join(', ')}`,
        );
        io.out(`  controls: ${Object.values(manifest.controls).join(', ')}`);
        io.out(`  ${describeFusion(manifest)}`);
      }
      return EXIT.ok;
    } catch (err) {
      if (!(err instanceof PtpPackError)) throw err;
      if (values.json) io.out(JSON.stringify({ ok: false, error: err.toJSON() }, null, 2));
      else io.err(`ptp models import: ${err.code}: ${err.message}${err.path ? ` (${err.path})` : ''}`);
      return EXIT.failed;
    }
  }
  if (sub === 'list') {
    const { values } = parseArgs({ args: rest, options: MODELS_LIST_OPTIONS, strict: true });
    const backend = localBackend({ packs: values.packs });
    io.out(JSON.stringify(await backend.listPacks(), null, 2));
    return EXIT.ok;
  }
  const near = sub === undefined ? undefined : closestWord(sub, ['import', 'list']);
  throw new UsageError(
    `${sub === undefined ? 'models takes a subcommand' : `unknown models subcommand "${sub}"${near ? `; did you mean "${near}"?` : ''}`}: import <export-dir> <pack-dir> | list [--packs DIR]`,
  );
};

/** `--self-control-divisor`: a power of two >= 1 (layer sides halve per level), like the schedule's divisor. */
function parseDivisor(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const d = Number(raw);
  if (!Number.isInteger(d) || d < 1 || d > 64 || (d & (d - 1)) !== 0)
    throw new UsageError(
      `--self-control-divisor takes a power of two from 1 to 64 (default ${DEFAULT_SELF_CONTROL_DIVISOR}), not '${raw}'`,
    );
  return d;
}

/** One line on what runs fused and which schedules the pack can serve. */
function describeFusion(manifest: PtpManifest): string {
  const self = manifest.layers.filter((l) => l.kind === 'self');
  const fused = self.filter((l) => l.fusedNode);
  const off = self.filter((l) => !l.controlled);
  if (off.length === 0) return `self-attention: all ${self.length} self layers controllable, none fused`;
  // A schedule's divisor d replaces layers with downsample >= d, so it must pass every uncontrolled one.
  const needed = 2 * Math.max(...off.map((l) => l.downsample));
  const expanded = manifest.patch.layersExpanded
    ? `; ${manifest.patch.layersExpanded} fused layers of the export expanded`
    : '';
  return (
    `self-attention: ${off.length} of ${self.length} self layers uncontrolled (${fused.length} fused: ${[...new Set(off.map((l) => l.group))].join(', ')})` +
    `; schedules need selfResolutionDivisor >= ${needed}${expanded}`
  );
}
