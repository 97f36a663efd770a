import { csvLine, type WorkflowDocument } from '@ptp/graph-core';

/** Local blend's word lists: a row that changes the prompts must name words those prompts have. */
const BLEND_WORDS = ['sourceWords', 'targetWords'] as const;

/**
 * The graph's prompts as a first rows table for the Batch dialog: a header of `node.text` columns,
 * then every Local blend word list the graph uses (written as words separated by spaces), and one
 * row of today's values.
 */
export function startingRows(doc: WorkflowDocument): string {
  const columns: [string, string][] = [];
  for (const n of doc.nodes) if (n.type === 'ptp.prompt') columns.push([`${n.id}.text`, String(n.params.text ?? '')]);
  if (!columns.length) return '';
  for (const n of doc.nodes) {
    if (n.type !== 'ptp.blend') continue;
    for (const param of BLEND_WORDS) {
      const words = n.params[param];
      if (Array.isArray(words) && words.length) columns.push([`${n.id}.${param}`, words.join(' ')]);
    }
  }
  return csvLine(columns.map(([k]) => k)) + csvLine(columns.map(([, v]) => v));
}
