import { fromZodIssues, graphError, type GraphError, type Result } from '../errors.js';
import type { NodeRegistry } from '../NodeRegistry.js';
import { DOCUMENT_MIGRATIONS, type DocumentMigration } from './documentMigrations.js';
import { migrateNodeParams } from './migrateNodeParams.js';
import {
  CURRENT_SCHEMA_VERSION,
  DOCUMENT_LIMITS,
  WorkflowDocumentSchema,
  type WorkflowDocument,
} from './WorkflowDocument.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads the format version of any saved document: `schemaVersion` now, `version` in v1. */
function versionOf(raw: unknown): number | undefined {
  if (!isRecord(raw)) return undefined;
  const v = raw.schemaVersion ?? raw.version;
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** Applies document migrations step by step up to the current version. */
export function migrateDocument(
  raw: unknown,
  migrations: readonly DocumentMigration[] = DOCUMENT_MIGRATIONS,
): Result<unknown> {
  let version = versionOf(raw);
  if (version === undefined) {
    return {
      ok: false,
      errors: [
        graphError('INVALID_DOCUMENT', 'not a workflow document: expected an object with a numeric "schemaVersion"', {
          path: ['schemaVersion'],
        }),
      ],
    };
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    return {
      ok: false,
      errors: [
        graphError(
          'UNSUPPORTED_SCHEMA_VERSION',
          `document schemaVersion ${version} is newer than this build supports (${CURRENT_SCHEMA_VERSION}); update PtP Studio`,
          { path: ['schemaVersion'] },
        ),
      ],
    };
  }
  let doc = raw;
  while (version < CURRENT_SCHEMA_VERSION) {
    const step = migrations.find((m) => m.from === version);
    if (!step)
      return {
        ok: false,
        errors: [
          graphError('UNSUPPORTED_SCHEMA_VERSION', `no migration from schemaVersion ${version}`, {
            path: ['schemaVersion'],
          }),
        ],
      };
    const parsed = step.schema.safeParse(doc);
    if (!parsed.success)
      return { ok: false, errors: fromZodIssues('INVALID_DOCUMENT', parsed.error.issues.slice(0, 50)) };
    try {
      doc = step.up(parsed.data as never);
    } catch (err) {
      return {
        ok: false,
        errors: [
          graphError('MIGRATION_FAILED', `migration ${step.from} -> ${step.to} failed: ${(err as Error).message}`),
        ],
      };
    }
    version = step.to;
  }
  return { ok: true, value: doc, warnings: [] };
}

export interface LoadOptions {
  /** With a registry, node params saved by older node versions are migrated too. */
  registry?: NodeRegistry;
}

/**
 * Text or parsed JSON in, a current-version document out, or every problem found. Never throws:
 * whatever it is given, the answer is a `Result` with structured errors.
 */
export function loadDocument(input: unknown, options: LoadOptions = {}): Result<WorkflowDocument> {
  try {
    let raw = input;
    if (typeof input === 'string') {
      if (input.length > DOCUMENT_LIMITS.maxJsonBytes) {
        return {
          ok: false,
          errors: [
            graphError(
              'INVALID_DOCUMENT',
              `document is ${input.length} bytes; the limit is ${DOCUMENT_LIMITS.maxJsonBytes}`,
            ),
          ],
        };
      }
      try {
        // A byte-order mark (Windows editors write one) is not part of the JSON.
        raw = JSON.parse(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input);
      } catch (err) {
        return { ok: false, errors: [graphError('INVALID_JSON', `not valid JSON: ${(err as Error).message}`)] };
      }
    }
    const migrated = migrateDocument(raw);
    if (!migrated.ok) return migrated;
    const parsed = WorkflowDocumentSchema.safeParse(migrated.value);
    // Cap the list: a document with 10k broken nodes needs the first problems, not all of them.
    if (!parsed.success)
      return { ok: false, errors: fromZodIssues('INVALID_DOCUMENT', parsed.error.issues.slice(0, 200)) };
    const doc = parsed.data;
    const warnings: GraphError[] = [];
    if (options.registry) {
      const errors = migrateNodeParams(doc, options.registry);
      if (errors.length) return { ok: false, errors };
    }
    return { ok: true, value: doc, warnings };
  } catch (err) {
    // Defensive: a bug in a migration or schema must still surface as data, not a crash.
    return {
      ok: false,
      errors: [graphError('INVALID_DOCUMENT', `could not load document: ${(err as Error).message}`)],
    };
  }
}
