import { parseArgs } from 'node:util';
import { importPack, PtpPackError } from '../../onnx/index.js';
import { EXIT, resolveUserPath, UsageError, type Command } from '../cliSupport.js';
import { localBackend } from '../localSetup.js';

/** `ptp models import <export-dir> <pack-dir>` and `ptp models list [--packs DIR]...`. */
export const modelsCommand: Command = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === 'import') {
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        name: { type: 'string' },
        json: { type: 'boolean', default: false },
        'no-plain': { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 2) throw new UsageError('models import takes <export-dir> <pack-dir>');
    const [exportDir, packDir] = positionals.map(resolveUserPath) as [string, string];
    try {
      const started = Date.now();
      const { manifest } = await importPack(exportDir, packDir, {
        ...(values.name ? { name: values.name } : {}),
        ...(values['no-plain'] ? { keepPlainMaxBytes: 0 } : {}),
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
    const { values } = parseArgs({ args: rest, options: { packs: { type: 'string', multiple: true } }, strict: true });
    const backend = localBackend({ packs: values.packs });
    io.out(JSON.stringify(await backend.listPacks(), null, 2));
    return EXIT.ok;
  }
  throw new UsageError('models takes a subcommand: import <export-dir> <pack-dir> | list [--packs DIR]');
};
