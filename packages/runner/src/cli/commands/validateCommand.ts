import { parseArgs } from 'node:util';
import {
  errorPlace,
  loadDocument,
  runTargets,
  validateGraph,
  type GraphError,
  type NodeRegistry,
  type Result,
  type ValidateOptions,
} from '@ptp/graph-core';
import { EXIT, resolveUserPath, UsageError, type Command } from '../cliSupport.js';
import { cliNodePackages, NODE_PACKAGES_OPTION } from '../nodePackageOption.js';
import { localRunnerHas } from '../localRunnerHas.js';
import { readWorkflowText } from '../workflowFile.js';

function describe(e: GraphError): string {
  return `  ${e.severity === 'warning' ? 'warning' : 'error  '} ${e.code}${errorPlace(e, { nodeType: true })}: ${e.message}`;
}

function skippedNode(e: GraphError): GraphError {
  return { ...e, severity: 'warning', message: `${e.message} (this node feeds no output, so runs skip it)` };
}

interface FileReport {
  ok: boolean;
  file: string;
  errors: GraphError[];
  warnings: GraphError[];
}

/** One workflow's problems, as `ptp run` would meet them. */
function validateText(file: string, text: Result<string>, registry: NodeRegistry, has: ValidateOptions): FileReport {
  const loaded = text.ok ? loadDocument(text.value, { registry }) : text;
  const report = loaded.ok ? validateGraph(loaded.value, registry, has) : undefined;
  // What `ptp run` refuses is an error; a problem in a node no output needs (a stray node) is a
  // warning, since runs skip that node (ComfyUI's rule, and the engine's).
  const blocking = report ? runTargets(report).blocking : [];
  const skipped = report ? report.errors.filter((e) => !blocking.includes(e)).map(skippedNode) : [];
  const errors = loaded.ok ? blocking : loaded.errors;
  const warnings = loaded.ok ? [...loaded.warnings, ...report!.warnings, ...skipped] : [];
  return { ok: errors.length === 0, file, errors, warnings };
}

/** What `ptp validate` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const VALIDATE_OPTIONS = {
  json: { type: 'boolean', default: false },
  packs: { type: 'string', multiple: true },
  uploads: { type: 'string', multiple: true },
  ...NODE_PACKAGES_OPTION,
} as const;

export const validateCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    options: VALIDATE_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new UsageError('validate takes one or more workflow files');
  const texts: [string, Result<string>][] = [];
  for (const given of positionals) {
    const file = resolveUserPath(given);
    texts.push([file, await readWorkflowText(file)]);
  }
  const { registry } = await cliNodePackages(values['node-packages'], io);
  // What `ptp run` would see (and refuses up front): packs from --packs then the bundled ones,
  // uploads from --uploads (default the data dir's) then the bundled ones.
  const has = await localRunnerHas(values);
  const reports = texts.map(([file, text]) => validateText(file, text, registry, has));
  if (values.json) {
    io.out(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2));
  } else {
    for (const { ok, file, errors, warnings } of reports) {
      io.out(
        ok
          ? `ok ${file}${warnings.length ? ` (${warnings.length} warning${warnings.length > 1 ? 's' : ''})` : ''}`
          : `invalid ${file}: ${errors.length} problem${errors.length > 1 ? 's' : ''}`,
      );
      for (const e of [...errors, ...warnings]) io.out(describe(e));
    }
  }
  return reports.every((r) => r.ok) ? EXIT.ok : EXIT.failed;
};
