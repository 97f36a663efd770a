import { Engine, type WorkflowDocument } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { ensureUiBuilt, launchBrowser, openPage, serveStatic } from '../test/support/browser.js';
import { generateDocument } from '../test/support/nodeGenerate.js';
import { fmt } from './lib/measure.js';
import { printTable } from './lib/table.js';

const STEPS = Math.max(1, Number(process.env.PTP_BENCH_BROWSER_STEPS ?? 3));
const RUNS = Math.max(1, Number(process.env.PTP_BENCH_BROWSER_RUNS ?? 3));
/**
 * Comma-separated browser variants to time: `webgpu` (outputs kept on the GPU, downloaded
 * concurrently: the default), `webgpu-cpu-outputs` (onnxruntime copies outputs back itself), `wasm`
 * (the browser's no-GPU fallback), `wasm-no-yield` (wasm without a new task per session call: what
 * reading Cancel mid-run costs).
 */
const BROWSER_VARIANTS = (process.env.PTP_BENCH_BROWSER_PROVIDERS ?? 'webgpu,webgpu-cpu-outputs,wasm,wasm-no-yield')
  .split(',')
  .filter(Boolean);

interface Timing {
  /** First run: fetching the pack, creating sessions (shader compilation on WebGPU), then the graph. */
  coldMs: number;
  /** Later runs of the graph with a new seed each (model cached, sampler and decoder recomputed). */
  warm: number[];
  detail: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const docs = (): WorkflowDocument[] => Array.from({ length: RUNS + 1 }, (_, i) => generateDocument(STEPS, 100 + i));

async function timeNodeCpu(): Promise<Timing> {
  const backend = new OrtNodeBackend({ provider: 'cpu' });
  const engine = new Engine(createNodeRegistry(), { backend });
  const times: number[] = [];
  for (const doc of docs()) {
    const t0 = performance.now();
    const r = await engine.run(doc);
    if (r.status !== 'success') throw new Error(`node cpu run failed: ${r.errors[0]?.message}`);
    times.push(performance.now() - t0);
  }
  await backend.release();
  return { coldMs: times[0]!, warm: times.slice(1), detail: 'onnxruntime-node 1.30 cpu, in-process' };
}

/**
 * `pnpm bench browser`: one template (examples/generate.json, few steps) run by the editor's
 * in-browser runtime (engine in a Web Worker, onnxruntime-web on WebGPU — SwiftShader on a machine
 * without a GPU — and on wasm) against the same graph on the Node CPU backend the server uses,
 * all in this run, on this machine.
 */
export async function benchBrowser(): Promise<void> {
  const served = await serveStatic(await ensureUiBuilt());
  const browser = await launchBrowser();
  const rows: [string, Timing][] = [];
  try {
    const { page } = await openPage(browser, `${served.url}runtime-check.html`);
    await page.waitForFunction(() => typeof window.ptpRuntime === 'object');
    for (const variant of BROWSER_VARIANTS) {
      const provider: 'webgpu' | 'wasm' = variant.startsWith('webgpu') ? 'webgpu' : 'wasm';
      const timing = await page.evaluate(
        async ({ provider, gpuOutputs, yieldToMessages, docs }) => {
          const runner = window.ptpRuntime.createWorkerRunner({ provider, gpuOutputs, yieldToMessages });
          try {
            const info = await runner.info();
            const times: number[] = [];
            for (const doc of docs) {
              const t0 = performance.now();
              const r = await runner.run(doc as never);
              if (r.status !== 'success') throw new Error(`browser ${provider} run failed: ${r.errors[0]?.message}`);
              times.push(performance.now() - t0);
            }
            return {
              coldMs: times[0]!,
              warm: times.slice(1),
              detail: `onnxruntime-web ${info.provider}${info.adapter ? ` (${info.adapter})` : ''}${provider === 'webgpu' ? (gpuOutputs ? ', gpu-buffer outputs' : ', cpu outputs') : ''}${yieldToMessages ? '' : ', no task per call'}, Web Worker`,
            };
          } finally {
            runner.dispose();
          }
        },
        {
          provider,
          gpuOutputs: variant !== 'webgpu-cpu-outputs',
          yieldToMessages: variant !== 'wasm-no-yield',
          docs: docs(),
        },
      );
      rows.push([`browser ${variant}`, timing]);
    }
  } finally {
    await browser.close();
    await served.close();
  }
  const node = await timeNodeCpu();
  rows.push(['node cpu (server backend)', node]);
  const base = median(node.warm);
  const pack = String(generateDocument(STEPS).nodes.find((n) => n.id === 'model')?.params.pack);
  printTable(
    `examples/generate.json on pack ${pack}, ${STEPS} steps; cold = first run (pack fetch, sessions, shader compilation); warm = median of ${RUNS} runs with new seeds; ratio = warm / node cpu warm`,
    ['runtime', 'cold ms', 'warm ms', 'ratio', 'backend'],
    rows.map(([name, t]) => [
      name,
      fmt(t.coldMs),
      fmt(median(t.warm)),
      `${(median(t.warm) / base).toFixed(2)}x`,
      t.detail,
    ]),
  );
}
