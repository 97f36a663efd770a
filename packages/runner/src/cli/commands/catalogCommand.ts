import { parseArgs } from 'node:util';
import { buildCatalogue } from '@ptp/graph-core';
import { EXIT, UsageError, type Command } from '../cliSupport.js';
import { cliNodePackages, NODE_PACKAGES_OPTION } from '../nodePackageOption.js';

/** What `ptp catalog` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const CATALOG_OPTIONS = NODE_PACKAGES_OPTION;

export const catalogCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    options: CATALOG_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length) throw new UsageError('catalog takes no arguments');
  const { registry, packages, dirs } = await cliNodePackages(values['node-packages'], io);
  const catalogue = buildCatalogue(registry);
  // Module URLs are the server's business: the CLI lists what it loaded and what it refused.
  const listed = dirs.length
    ? {
        nodePackages: packages.packages.map(({ module: _url, ...p }) => p),
        packageProblems: packages.problems,
      }
    : {};
  io.out(JSON.stringify({ ...catalogue, ...listed }, null, 2));
  return EXIT.ok;
};
