import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { errorPlace, loadDocument, runTargets, validateGraph, type GraphError } from '@ptp/graph-core';
import { cannotRead, EXIT, resolveUserPath, UsageError, type Command } from '../cliSupport.js';
import { PackStore } from '../../packs/PackStore.js';
import { cliNodePackages, NODE_PACKAGES_OPTION } from '../nodePackageOption.js';
import { userPackDirs } from '../packDirs.js';

function describe(e: GraphError): string {
  return `  ${e.severity === 'warning' ? 'warning' : 'error  '} ${e.code}${errorPlace(e, { nodeType: true })}: ${e.message}`;
}

function skippedNode(e: GraphError): GraphError {
  return { ...e, severity: 'warning', message: `${e.message} (this node feeds no output, so runs skip it)` };
}

export const validateCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      packs: { type: 'string', multiple: true },
      ...NODE_PACKAGES_OPTION,
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('validate takes exactly one workflow file');
  const file = resolveUserPath(positionals[0]!);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw cannotRead(file, err);
  }
  const { registry } = await cliNodePackages(values['node-packages'], io);
  // The packs `ptp run` would see (--packs, then the bundled ones): a Load model naming another fails.
  const packs = (await new PackStore(userPackDirs(values.packs)).list()).map((p) => p.id);
  const loaded = loadDocument(text, { registry });
  const report = loaded.ok ? validateGraph(loaded.value, registry, { packs }) : undefined;
  // What `ptp run` refuses is an error; a problem in a node no output needs (a stray node) is a
  // warning, since runs skip that node (ComfyUI's rule, and the engine's).
  const blocking = report ? runTargets(report).blocking : [];
  const skipped = report ? report.errors.filter((e) => !blocking.includes(e)).map(skippedNode) : [];
  const errors = loaded.ok ? blocking : loaded.errors;
  const warnings = loaded.ok ? [...loaded.warnings, ...report!.warnings, ...skipped] : [];
  const ok = errors.length === 0;
  if (values.json) {
    io.out(JSON.stringify({ ok, file, errors, warnings }, null, 2));
  } else {
    io.out(
      ok
        ? `ok ${file}${warnings.length ? ` (${warnings.length} warning${warnings.length > 1 ? 's' : ''})` : ''}`
        : `invalid ${file}: ${errors.length} problem${errors.length > 1 ? 's' : ''}`,
    );
    for (const e of [...errors, ...warnings]) io.out(describe(e));
  }
  return ok ? EXIT.ok : EXIT.failed;
};
