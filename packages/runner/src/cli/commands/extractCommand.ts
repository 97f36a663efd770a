import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadDocument } from '@ptp/graph-core';
import { createNodeRegistry, readPngText } from '@ptp/nodes';
import { cannotRead, EXIT, resolveUserPath, UsageError, type Command } from '../cliSupport.js';

/** What `ptp extract` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const EXTRACT_OPTIONS = {} as const;

/** `ptp extract image.png > workflow.json`: the workflow a studio PNG carries, migrated to today's schema. */
export const extractCommand: Command = async (args, io) => {
  const { positionals } = parseArgs({ args, options: EXTRACT_OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('extract takes exactly one PNG file');
  const file = resolveUserPath(positionals[0]!);
  const bytes = await readFile(file).catch((err: unknown) => {
    throw cannotRead(file, err);
  });
  const png = readPngText(new Uint8Array(bytes));
  if (!png.ok) {
    io.err(`ptp extract: ${file}: ${png.message}`);
    return EXIT.failed;
  }
  const text = png.text.workflow;
  if (text === undefined) {
    io.err(`ptp extract: ${file} carries no workflow (no "workflow" text chunk)`);
    return EXIT.failed;
  }
  const loaded = loadDocument(text, { registry: createNodeRegistry() });
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(`ptp extract: ${e.code}: ${e.message}`);
    return EXIT.failed;
  }
  io.out(JSON.stringify(loaded.value, null, 2));
  return EXIT.ok;
};
