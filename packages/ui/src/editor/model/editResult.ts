import { flattenSubgraphs, type WorkflowDocument } from '@ptp/graph-core';

/** The template a result is edited further with: load, encode, invert under its prompt, edit. */
export const EDIT_RESULT_TEMPLATE = 'edit-real-image';

/**
 * The prompt a result picture was made from. Edit graphs save the source first and then one
 * picture per edit: picture 0 is the source prompt's (what the capture, inversion or plain
 * generation ran on), picture i the i-th edit's (the target of the i-th injection schedule).
 * Blocks are looked into. Undefined when the graph says nothing about it.
 */
export function promptOfResult(doc: WorkflowDocument, index: number): string | undefined {
  const flat = flattenSubgraphs(doc).doc;
  const byId = new Map(flat.nodes.map((n) => [n.id, n]));
  const textOf = (id: string | undefined) => {
    const text = id === undefined ? undefined : byId.get(id)?.params.text;
    return typeof text === 'string' ? text : undefined;
  };
  const feeding = (type: string, input: string) =>
    flat.nodes
      .filter((n) => n.type === type)
      .map((n) => flat.edges.find((e) => e.to.node === n.id && e.to.input === input)?.from.node)
      .filter((id): id is string => id !== undefined && textOf(id) !== undefined);
  const source = [
    ...feeding('ptp.captureSource', 'prompt'),
    ...feeding('ptp.invert', 'prompt'),
    ...feeding('ptp.textToImage', 'prompt'),
  ][0];
  // A schedule's source link, for graphs whose source comes from elsewhere (an image's caption).
  const scheduled = feeding('ptp.injectionSchedule', 'source')[0];
  const targets = [...new Set(feeding('ptp.injectionSchedule', 'target'))];
  const id = index === 0 ? (source ?? scheduled) : (targets[index - 1] ?? source ?? scheduled);
  return textOf(id);
}

/**
 * The edit-a-real-image template set up to edit a picture (a photo dropped on an empty canvas), or
 * a result further: the picture (an upload id) is
 * loaded and inverted under the prompt it was made from, which is also the target prompt to change;
 * the model pack stays the one the result came from.
 */
export function editResultDocument(
  template: WorkflowDocument,
  from: { upload: string; prompt?: string; pack?: string; name: string; description?: string },
): WorkflowDocument {
  const doc = structuredClone(template);
  const set = (type: string, param: string, value: unknown, which = 0) => {
    const node = doc.nodes.filter((n) => n.type === type)[which];
    if (node) node.params = { ...node.params, [param]: value };
  };
  set('ptp.loadImage', 'upload', from.upload);
  if (from.pack !== undefined) set('ptp.loadModel', 'pack', from.pack);
  if (from.prompt !== undefined) {
    set('ptp.prompt', 'text', from.prompt, 0);
    set('ptp.prompt', 'text', from.prompt, 1);
  }
  doc.metadata = {
    ...doc.metadata,
    name: editName(from.name),
    description:
      from.description ??
      `Edits a result of “${from.name}” further: the picture is inverted under the prompt it was made from; change a word of the target prompt and run.`,
  };
  return doc;
}

/** "Edit of X", then "Edit 2 of X", "Edit 3 of X" as a picture is edited turn after turn (not "Edit of Edit of X"). */
export function editName(name: string): string {
  const turn = /^Edit (?:(\d+) )?of (.*)$/s.exec(name);
  return turn ? `Edit ${Number(turn[1] ?? 1) + 1} of ${turn[2]}` : `Edit of ${name}`;
}

/** The model pack a workflow loads (its first Load model node's). */
export function packOf(doc: WorkflowDocument): string | undefined {
  const pack = doc.nodes.find((n) => n.type === 'ptp.loadModel')?.params.pack;
  return typeof pack === 'string' ? pack : undefined;
}
