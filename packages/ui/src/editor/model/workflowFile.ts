import { graphError, loadDocument, type NodeRegistry, type Result, type WorkflowDocument } from '@ptp/graph-core';
import { readPngText, sniffImageType, type ImageMediaType } from '@ptp/nodes';

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export const isPng = (bytes: Uint8Array): boolean => bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);

/**
 * The media type of a picture that carries no workflow (a photo, or a PNG not saved by the studio):
 * such a file is an image to load, not a workflow to open. Undefined for anything else, including
 * a PNG whose text chunks cannot be read (opening it says why).
 */
export function plainImageType(bytes: Uint8Array): ImageMediaType | undefined {
  const type = sniffImageType(bytes);
  if (type !== 'image/png') return type;
  const text = readPngText(bytes);
  return text.ok && text.text.workflow === undefined ? type : undefined;
}

/**
 * A dropped or opened file as a workflow: a studio PNG (the graph is in its iTXt chunk
 * `workflow`) or workflow JSON. Never throws; every problem comes back structured, and the
 * document migrates forward like any saved one.
 */
export function readWorkflowFile(bytes: Uint8Array, registry?: NodeRegistry): Result<WorkflowDocument> {
  const options = registry ? { registry } : {};
  if (isPng(bytes)) {
    const text = readPngText(bytes);
    if (!text.ok) return { ok: false, errors: [graphError('INVALID_DOCUMENT', text.message)] };
    const workflow = text.text.workflow;
    if (workflow === undefined)
      return {
        ok: false,
        errors: [
          graphError(
            'INVALID_DOCUMENT',
            'this PNG carries no workflow (only images saved by PtP Studio with "embed workflow" do)',
          ),
        ],
      };
    return loadDocument(workflow, options);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return {
      ok: false,
      errors: [graphError('INVALID_DOCUMENT', 'not a workflow: expected a studio PNG or workflow JSON')],
    };
  }
  return loadDocument(text, options);
}

/** Pretty JSON for export, with a stable trailing newline (diff-friendly). */
export function exportJson(doc: WorkflowDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** A file name from the workflow name: letters, digits, dashes. */
export function exportFileName(name: string): string {
  const base = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${base || 'workflow'}.json`;
}
