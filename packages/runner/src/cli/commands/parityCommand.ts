import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PROVIDERS, type Provider } from '../../backends/providers.js';
import { DEFAULT_REFERENCE_DIR, runParity, scanReferenceCases } from '../../parity/index.js';
import { EXIT, resolveUserPath, UsageError, type Command } from '../cliSupport.js';

/** What `ptp parity` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const PARITY_OPTIONS = {
  ref: { type: 'string' },
  provider: { type: 'string', default: 'cpu' },
  case: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  'stop-after': { type: 'string' },
} as const;

/**
 * `ptp parity [dir | --ref dir] [--provider cpu|webgpu] [--case NAME]... [--stop-after N] [--json]`:
 * one line per case; a case that errors is reported with its message and the others still run.
 * Exit 1 when any case failed or none was found.
 */
export const parityCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    options: PARITY_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length + (values.ref ? 1 : 0) > 1)
    throw new UsageError('parity takes at most one reference directory');
  if (!(PROVIDERS as readonly string[]).includes(values.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  const given = values.ref ?? positionals[0];
  const dir = given ? resolveUserPath(given) : (process.env.PTP_P2P_REFERENCE_DIR ?? DEFAULT_REFERENCE_DIR);
  if (values.case) {
    // A misspelt case is the user's mistake, not the folder's: name the cases there are.
    const names = existsSync(dir) ? scanReferenceCases(dir).map((c) => c.name) : [];
    const unknown = values.case.filter((c) => !names.includes(c));
    if (unknown.length && names.length)
      throw new UsageError(
        `no case ${unknown.map((c) => `"${c}"`).join(', ')} under ${dir}; its cases: ${names.join(', ')}`,
        { showUsage: false },
      );
  }
  const { tolerance, results } = await runParity({
    dir,
    provider: values.provider as Provider,
    ...(values.case ? { only: values.case } : {}),
    ...(values['stop-after'] ? { stopAfter: Number(values['stop-after']) } : {}),
    onCase: (r) => {
      if (values.json) return;
      const detail =
        r.error ??
        `max abs ${r.maxAbs.toExponential(2)}, mean abs ${r.meanAbs.toExponential(2)}${r.mapsMaxAbs !== undefined ? `, maps ${r.mapsMaxAbs.toExponential(2)}` : ''}`;
      io.out(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(30)} ${detail} (${(r.ms / 1000).toFixed(1)} s)`);
    },
  });
  if (values.json) io.out(JSON.stringify({ dir, provider: values.provider, tolerance, results }, null, 2));
  else {
    const errored = results.filter((r) => r.error !== undefined).length;
    io.out(
      `${results.filter((r) => r.ok).length}/${results.length} cases within max abs ${tolerance.max_abs}, mean abs ${tolerance.mean_abs}${errored ? `; ${errored} failed with an error` : ''} (${values.provider}, ${dir})`,
    );
  }
  if (results.length === 0) {
    io.err(`no case.json found under ${dir}`);
    return EXIT.failed;
  }
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.failed;
};
