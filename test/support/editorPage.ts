import type { WorkflowDocument } from '@ptp/graph-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { openPage, type OpenOptions } from './browser.js';

/**
 * Driving the editor (packages/ui/src/editor) in the browser tests: open it, read its document
 * through `window.ptpEditor`, and do what a user does (drag links, drop files) with real input
 * events so React Flow's own handlers run.
 */
export async function openEditor(
  browser: Browser,
  url: string,
  options: OpenOptions = {},
): Promise<{ page: Page; logs: string[] }> {
  const opened = await openPage(browser, url, options);
  await opened.page.waitForSelector('[data-testid=app][data-ready=true]', { timeout: 60_000 });
  return opened;
}

export function editorDocument(page: Page): Promise<WorkflowDocument> {
  return page.evaluate(() =>
    (window as unknown as { ptpEditor: { document(): WorkflowDocument } }).ptpEditor.document(),
  );
}

export const node = (page: Page, id: string): Locator => page.getByTestId(`node-${id}`);

/** Takes focus off a param field, so its edit commits (as a user clicking elsewhere). */
export const blur = (page: Page): Promise<void> =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

/** A socket's handle: `output` handles are sources, inputs targets. */
export function handle(page: Page, nodeId: string, socket: string, kind: 'input' | 'output'): Locator {
  return page.locator(
    `.react-flow__handle.${kind === 'output' ? 'source' : 'target'}[data-nodeid="${nodeId}"][data-handleid="${socket}"]`,
  );
}

async function centre(l: Locator): Promise<{ x: number; y: number }> {
  const box = await l.boundingBox();
  if (!box) throw new Error('element is not visible');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** The centre of `l` once it has stopped moving (a fit of the view or a node measured moves it). */
async function settledCentre(l: Locator): Promise<{ x: number; y: number }> {
  let last = await centre(l);
  for (let i = 0; i < 50; i++) {
    await l.page().waitForTimeout(50);
    const now = await centre(l);
    if (now.x === last.x && now.y === last.y) return now;
    last = now;
  }
  return last;
}

/**
 * Drags a link from an output handle to an input handle with the mouse. Both ends are taken once
 * the view is still, and the target again before the drop (on a loaded machine the template's fit
 * can come after the first look, and the link then lands on another socket).
 */
export async function dragLink(
  page: Page,
  from: { node: string; output: string },
  to: { node: string; input: string },
): Promise<void> {
  const target = handle(page, to.node, to.input, 'input');
  const a = await settledCentre(handle(page, from.node, from.output, 'output'));
  let b = await settledCentre(target);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  b = await centre(target);
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

/** Drops a file on the canvas as a user dragging it from the desktop would. */
/** Drops a file on the canvas, or with `on` (a selector) on that element of it. */
export async function dropFile(page: Page, name: string, mime: string, bytes: Uint8Array, on?: string): Promise<void> {
  const data = await page.evaluateHandle(
    ({ name, mime, bytes }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], name, { type: mime }));
      return dt;
    },
    { name, mime, bytes: Array.from(bytes) },
  );
  const target = on ? page.getByTestId('canvas').locator(on).first() : page.getByTestId('canvas');
  // At the element's middle (the canvas's, or the node's), where a user would let go.
  const box = await target.boundingBox();
  const at = box ? { clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 } : {};
  await target.dispatchEvent('dragover', { dataTransfer: data, ...at });
  await target.dispatchEvent('drop', { dataTransfer: data, ...at });
}

/** Waits until the run shown in the toolbar has ended; returns its phase. */
/**
 * Waits for a run to end and returns its phase. `run`: the run's serial (the status's `data-run`,
 * see clickRun); without it, a run that ended before the click counts too.
 */
export async function waitForRunEnd(page: Page, timeout = 600_000, run?: number): Promise<string> {
  await page.waitForSelector(
    `[data-testid=run-status]${run === undefined ? '' : `[data-run="${run}"]`}:is([data-phase=success],[data-phase=error],[data-phase=interrupted])`,
    { timeout },
  );
  return (await page.getByTestId('run-status').getAttribute('data-phase')) ?? '';
}

/** Clicks Run and waits for that run (not an earlier one) to end; returns its phase. */
export async function runToEnd(page: Page, timeout?: number): Promise<string> {
  return waitForRunEnd(page, timeout, await clickRun(page));
}

/** Clicks Run; returns the serial of the run it starts (for waitForRunEnd). */
export async function clickRun(page: Page): Promise<number> {
  const before = Number(await page.getByTestId('run-status').getAttribute('data-run'));
  await page.getByTestId('run').click();
  return before + 1;
}

/** Sets a number param through its text box (as typing and pressing Enter). */
export async function setNumberParam(page: Page, nodeId: string, param: string, value: number): Promise<void> {
  const input = page.locator(`[data-testid="param-${nodeId}-${param}"] input[type=number]`);
  await input.fill(String(value));
  await input.press('Enter');
}

/** Waits for an image element to have decoded pixels; returns its natural size. */
export async function loadedImageSize(l: Locator): Promise<{ width: number; height: number }> {
  await l.evaluate((img: HTMLImageElement) =>
    img.complete && img.naturalWidth ? undefined : new Promise((r) => img.addEventListener('load', r, { once: true })),
  );
  return l.evaluate((img: HTMLImageElement) => ({ width: img.naturalWidth, height: img.naturalHeight }));
}

/** The graph part of a document (what "equal graph" means: nodes, params, positions, links). */
export function graphOf(doc: WorkflowDocument) {
  return {
    nodes: doc.nodes.map((n) => ({
      id: n.id,
      type: n.type,
      typeVersion: n.typeVersion,
      params: n.params,
      position: n.ui?.position,
    })),
    edges: doc.edges.map((e) => `${e.from.node}.${e.from.output}->${e.to.node}.${e.to.input}`).sort(),
  };
}

/**
 * A screen point on an edge's drawn path: the middle, or the nearest point along it that no node
 * covers (an edge between nodes of one column loops around them).
 */
export function edgePoint(page: Page, edgeId: string): Promise<{ x: number; y: number }> {
  return page
    .locator(`[data-id="${edgeId}"] path.react-flow__edge-path`)
    .evaluate((path: SVGPathElement, id: string) => {
      const m = path.getScreenCTM()!;
      const length = path.getTotalLength();
      const at = (f: number) => {
        const p = path.getPointAtLength(length * f);
        return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
      };
      for (const f of [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8]) {
        const q = at(f);
        if (document.elementFromPoint(q.x, q.y)?.closest('.react-flow__edge')?.getAttribute('data-id') === id) return q;
      }
      return at(0.5);
    }, edgeId);
}

/** Clicks an edge on its drawn path (see edgePoint). */
export async function clickEdge(page: Page, edgeId: string, button: 'left' | 'right' = 'left'): Promise<void> {
  const point = await edgePoint(page, edgeId);
  await page.mouse.click(point.x, point.y, { button });
}

/** Clicks on empty canvas (deselects, and takes focus out of any param field). */
export async function clickPane(page: Page): Promise<void> {
  const box = (await page.locator('.react-flow__pane').boundingBox())!;
  await page.mouse.click(box.x + box.width - 30, box.y + 30);
}

type EditorWindow = {
  ptpEditor: {
    state(): {
      graph: {
        nodes: { id: string; selected?: boolean }[];
        edges: { id: string; source: string; target: string; selected?: boolean }[];
      };
    };
  };
};

/** The ids of the selected nodes or links on the canvas. */
function selected(page: Page, of: 'nodes' | 'edges'): Promise<string[]> {
  return page.evaluate(
    (key) =>
      (window as unknown as EditorWindow).ptpEditor
        .state()
        .graph[key].filter((x) => x.selected)
        .map((x) => x.id),
    of,
  );
}

export const selectedNodes = (page: Page): Promise<string[]> => selected(page, 'nodes');
export const selectedEdges = (page: Page): Promise<string[]> => selected(page, 'edges');

/** The id of the (first) edge from node `source` to node `target` on the canvas. */
export function edgeIdBetween(page: Page, source: string, target: string): Promise<string | undefined> {
  return page.evaluate(
    ([s, t]) =>
      (window as unknown as EditorWindow).ptpEditor.state().graph.edges.find((e) => e.source === s && e.target === t)
        ?.id,
    [source, target] as const,
  );
}

/** Records (in `window.__sawProgress`) whether a node's progress bar ever shows, however briefly. */
export async function watchProgress(page: Page, nodeId: string): Promise<void> {
  await page.evaluate((id) => {
    const w = window as unknown as { __sawProgress: boolean };
    w.__sawProgress = false;
    const seen = () => document.querySelector(`[data-testid="progress-${id}"]`) !== null;
    new MutationObserver(() => {
      if (seen()) w.__sawProgress = true;
    }).observe(document.body, { subtree: true, childList: true });
  }, nodeId);
}

/**
 * Presses Run, fails with the notices when the run does not succeed, and returns the RGBA pixels of
 * every picture in the results panel, in order.
 */
export async function runPixels(page: Page): Promise<number[][]> {
  const phase = await runToEnd(page);
  if (phase !== 'success')
    throw new Error(`run ended ${phase}: ${(await page.locator('[data-testid=notice]').allTextContents()).join('\n')}`);
  const images = page.getByTestId('results-panel').getByTestId('result-image');
  await images.first().waitFor();
  const urls = await images.evaluateAll((els) => els.map((e) => (e as HTMLImageElement).src));
  return page.evaluate(async (list) => {
    const out: number[][] = [];
    for (const url of list) {
      const img = new Image();
      img.src = url;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      out.push(Array.from(g.getImageData(0, 0, c.width, c.height).data));
    }
    return out;
  }, urls);
}

/** Pairs of nodes (`a/b`) whose boxes on the canvas overlap. */
export async function overlaps(page: Page): Promise<string[]> {
  const boxes = await page.evaluate(() =>
    Array.from(document.querySelectorAll('.react-flow__node'), (el) => {
      const r = el.getBoundingClientRect();
      return { id: el.getAttribute('data-id')!, x: r.x, y: r.y, w: r.width, h: r.height };
    }),
  );
  const out: string[] = [];
  for (const a of boxes)
    for (const b of boxes)
      if (a.id < b.id && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
        out.push(`${a.id}/${b.id}`);
  return out;
}
