import { parseArgs } from 'node:util';
import { buildCatalogue } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { EXIT, UsageError, type Command } from '../cliSupport.js';

export const catalogCommand: Command = async (args, io) => {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length) throw new UsageError('catalog takes no arguments');
  io.out(JSON.stringify(buildCatalogue(createNodeRegistry()), null, 2));
  return EXIT.ok;
};
