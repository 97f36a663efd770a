import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Engine, loadDocument, type RunEvent, type WorkflowDocument } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { PackStore } from '@ptp/runner/packs/PackStore';
import { ensureUiBuilt, launchBrowser, openPage, serveStatic } from '../test/support/browser.js';
import { root } from './lib/benchPacks.js';
import { fmt } from './lib/measure.js';
import { sampleTreeMemory, type MemoryPeaks } from './lib/processMemory.js';
import { printTable } from './lib/table.js';

/** Pack folders, comma-separated: by default the float32 pack and its float16 copy. */
const PACK_DIRS = (
  process.env.PTP_BENCH_LARGE_PACKS ?? 'models/generated/packs/sd15-shaped,models/generated/packs/sd15-shaped-fp16'
)
  .split(',')
  .filter(Boolean)
  .map((p) => path.resolve(root, p));
const SIDE = Number(process.env.PTP_BENCH_LARGE_SIDE ?? 256);
const STEPS = Math.max(1, Number(process.env.PTP_BENCH_LARGE_STEPS ?? 1));
/** Runs after the first (cold) one: 0 skips the warm run (each takes minutes on SwiftShader). */
const WARM = Number(process.env.PTP_BENCH_LARGE_WARM ?? 1);
/** `webgpu` (default) or `wasm`; `none` times the Node baseline alone. */
const BROWSER = process.env.PTP_BENCH_LARGE_BROWSER ?? 'webgpu';
const SERVE_DIR = path.join(root, 'bench/out/browser-large');
/** 0 skips the Node CPU baseline (no ratios then): e.g. to see a browser refusal quickly. */
const BASELINE = process.env.PTP_BENCH_LARGE_BASELINE !== '0';

/** Timings of one run of the word-swap graph, from the engine's events. */
interface RunTiming {
  totalMs: number;
  /** node id -> duration (node_executed.durationMs). */
  nodes: Record<string, number>;
}

interface Row {
  name: string;
  cold: RunTiming;
  warm: RunTiming[];
  memory: string;
  detail: string;
}

/** examples/word-swap.json on the large pack: SIDE px, STEPS steps, up to the edit sampler (no decode). */
function wordSwap(pack: string, seed: number): WorkflowDocument {
  const loaded = loadDocument(readFileSync(path.join(root, 'examples/word-swap.json'), 'utf8'), {
    registry: createNodeRegistry(),
  });
  if (!loaded.ok) throw new Error(`examples/word-swap.json does not load: ${loaded.errors[0]?.message}`);
  const doc = loaded.value;
  const node = (id: string) => doc.nodes.find((n) => n.id === id)!;
  node('model').params = { ...node('model').params, pack };
  node('capture').params = { ...node('capture').params, steps: STEPS, seed, width: SIDE, height: SIDE };
  return doc;
}

const TARGETS = ['sampler'];

/** The pack's files and their total size; external data files too. */
function packBytes(dir: string): { total: number; largest: number } {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'ptp-manifest.json'), 'utf8')) as {
    components: Record<string, string>;
    unet: { model: string; externalData?: string[] };
  };
  const files = new Set<string>([...Object.values(manifest.components), manifest.unet.model]);
  for (const f of manifest.unet.externalData ?? []) files.add(f);
  for (const f of Object.values(manifest.components)) {
    const data = `${f}_data`;
    if (existsSync(path.join(dir, data))) files.add(data);
  }
  const sizes = [...files]
    .filter((f) => f.endsWith('.onnx') || f.endsWith('_data'))
    .map((f) => {
      const p = path.join(dir, f);
      return existsSync(p) ? statSync(p).size : 0;
    });
  return { total: sizes.reduce((a, b) => a + b, 0), largest: Math.max(...sizes) };
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
/** A duration, or '-' for a step that did not run. */
const ms = (x: number) => (Number.isFinite(x) ? fmt(x) : '-');

async function timeNodeCpu(packDir: string): Promise<Row> {
  const pack = path.basename(packDir);
  const backend = new OrtNodeBackend({ provider: 'cpu', packs: new PackStore([path.dirname(packDir)]) });
  const engine = new Engine(createNodeRegistry(), { backend });
  const runs: RunTiming[] = [];
  for (let i = 0; i <= WARM; i++) {
    const nodes: Record<string, number> = {};
    const t0 = performance.now();
    const r = await engine.run(wordSwap(pack, 100 + i), {
      outputs: TARGETS,
      onEvent: (e: RunEvent) => {
        if (e.type !== 'node_executed') return;
        nodes[e.nodeId] = e.durationMs;
        process.stderr.write(
          `[bench] node_executed ${e.nodeId} in ${Math.round(e.durationMs)} ms (${pack}, node cpu)\n`,
        );
      },
    });
    if (r.status !== 'success') throw new Error(`node cpu run failed: ${r.errors[0]?.message}`);
    runs.push({ totalMs: performance.now() - t0, nodes });
  }
  await backend.release();
  return {
    name: 'node cpu (server backend)',
    cold: runs[0]!,
    warm: runs.slice(1),
    memory: `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB peak RSS (bench process)`,
    detail: 'onnxruntime-node cpu, in-process',
  };
}

/** Serves the pack as `<url>large/packs/<id>/` next to the built editor (a link, never a copy); returns the folder. */
function preparePackMount(packDir: string): string {
  const id = path.basename(packDir);
  const dir = path.join(SERVE_DIR, id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'packs'), { recursive: true });
  writeFileSync(path.join(dir, 'packs/index.json'), JSON.stringify({ packs: [id] }));
  symlinkSync(packDir, path.join(dir, 'packs', id));
  return dir;
}

async function timeBrowser(packDir: string): Promise<Row> {
  const pack = path.basename(packDir);
  const mount = preparePackMount(packDir);
  const served = await serveStatic(await ensureUiBuilt(), { '/large/': mount });
  const browser = await launchBrowser();
  const memory = sampleTreeMemory(process.pid);
  // Printed as it goes: a killed or timed-out run still leaves its figures in the log.
  const memoryLog = setInterval(
    () => process.stderr.write(`[bench] memory so far: ${describePeaks(memory.peek())} (${pack}, browser)\n`),
    60_000,
  );
  try {
    const { page, logs } = await openPage(browser, `${served.url}runtime-check.html`);
    page.on('console', (m) => {
      if (m.text().startsWith('[bench]')) process.stderr.write(`${m.text()} (${pack}, browser)\n`);
    });
    await page.waitForFunction(() => typeof window.ptpRuntime === 'object');
    const docs = Array.from({ length: WARM + 1 }, (_, i) => wordSwap(pack, 100 + i));
    const result = await page
      .evaluate(
        async ({ provider, baseUrl, docs, targets }) => {
          const runner = window.ptpRuntime.createWorkerRunner({ provider, baseUrl });
          try {
            const info = await runner.info();
            const runs: { totalMs: number; nodes: Record<string, number> }[] = [];
            for (const doc of docs) {
              const nodes: Record<string, number> = {};
              const t0 = performance.now();
              const r = await runner.run(doc as never, {
                targets,
                onEvent: (e) => {
                  if (e.type === 'node_executed') nodes[e.nodeId] = e.durationMs;
                  // Forwarded to the terminal: a cold run takes many minutes on SwiftShader.
                  if (e.type === 'node_executed' || e.type === 'progress')
                    console.log(
                      `[bench] ${Math.round(performance.now() - t0)} ms: ${e.type} ${e.nodeId}${e.type === 'progress' ? ` ${e.value}/${e.max}` : ` in ${Math.round(e.durationMs)} ms`}`,
                    );
                },
              });
              if (r.status !== 'success') throw new Error(`browser run failed: ${r.errors[0]?.message}`);
              runs.push({ totalMs: performance.now() - t0, nodes });
            }
            return { runs, detail: `onnxruntime-web ${info.provider}${info.adapter ? ` (${info.adapter})` : ''}` };
          } finally {
            runner.dispose();
          }
        },
        { provider: BROWSER as 'webgpu' | 'wasm', baseUrl: `${served.url}large/`, docs, targets: TARGETS },
      )
      .catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\nbrowser console:\n${logs.slice(-20).join('\n')}`);
      });
    const peaks = memory.stop();
    return {
      name: `browser ${BROWSER}`,
      cold: result.runs[0]!,
      warm: result.runs.slice(1),
      memory: describePeaks(peaks),
      detail: `${result.detail}, Web Worker`,
    };
  } finally {
    clearInterval(memoryLog);
    memory.stop();
    await browser.close();
    await served.close();
  }
}

function describePeaks(p: MemoryPeaks): string {
  const parts = Object.entries(p.byType)
    .filter(([, v]) => v >= 50)
    .sort((a, b) => b[1] - a[1])
    .map(([t, v]) => `${t} ${v.toFixed(0)}`);
  return `${p.totalMiB.toFixed(0)} MiB peak RSS, all chromium processes (peaks: ${parts.join(', ')})`;
}

/**
 * `pnpm bench browser-large`: the SD-1.5-shaped pack (over 2 GB of weights as ONNX external data)
 * run by the editor's in-browser runtime (engine in a Web Worker, onnxruntime-web on WebGPU;
 * SwiftShader where there is no GPU) against the same graph on the Node CPU backend the server
 * uses, in this run. The graph is examples/word-swap.json at SIDE px up to the edit sampler: load
 * model (pack fetch, sessions, weights to the GPU), capture (source prompt: text encoder and
 * STEPS UNet calls at batch 2), sampler (the edit: STEPS controlled UNet calls at batch 4).
 * Not part of `pnpm bench` without a name, nor of any test: it takes many minutes on SwiftShader.
 * PTP_BENCH_LARGE_PACKS (pack folders, comma-separated), _SIDE (256), _STEPS (1), _WARM (1),
 * _BROWSER (webgpu|wasm|none), _BASELINE (0 skips the Node CPU row).
 */
export async function benchBrowserLarge(): Promise<void> {
  for (const packDir of PACK_DIRS) {
    if (!existsSync(path.join(packDir, 'ptp-manifest.json'))) {
      console.log(
        `\n(no pack at ${packDir}. Make them with: /usr/bin/python3 models/make_pack.py --preset sd15-shaped && pnpm ptp models import models/generated/sd15-shaped models/generated/packs/sd15-shaped --no-fuse-uncontrolled && /usr/bin/python3 models/pack_fp16.py models/generated/packs/sd15-shaped models/generated/packs/sd15-shaped-fp16)`,
      );
      continue;
    }
    await benchPack(packDir);
  }
}

/** A run that fails is a row saying why (e.g. FP16_UNSUPPORTED on an adapter without shader-f16). */
async function orFailure(name: string, run: () => Promise<Row>): Promise<Row> {
  try {
    return await run();
  } catch (err) {
    const message = (err as Error).message.split('\n')[0]!.replace(/^.*?([A-Z0-9_]{6,}: )/, '$1');
    const none: RunTiming = { totalMs: NaN, nodes: {} };
    return { name, cold: none, warm: [], memory: '', detail: `failed: ${message.slice(0, 300)}` };
  }
}

async function benchPack(packDir: string): Promise<void> {
  const pack = path.basename(packDir);
  const size = packBytes(packDir);
  const rows: Row[] = [];
  if (BASELINE) rows.push(await timeNodeCpu(packDir));
  if (BROWSER !== 'none') rows.push(await orFailure(`browser ${BROWSER}`, () => timeBrowser(packDir)));
  const base = BASELINE ? rows[0]! : undefined;
  const edit = (t: RunTiming) => t.nodes.sampler ?? NaN;
  const warmEdit = (r: Row) => (r.warm.length ? Math.min(...r.warm.map(edit)) : NaN);
  /** The warm edit step when there is one, else the cold one (PTP_BENCH_LARGE_WARM=0). */
  const bestEdit = (r: Row) => (r.warm.length ? warmEdit(r) : edit(r.cold));
  printTable(
    `word swap on pack ${pack} (${mib(size.total)} of model files, largest ${mib(size.largest)}), ${SIDE}x${SIDE}, ${STEPS} step(s), up to the edit sampler; load = Load model node (fetch, sessions, weights to the device); capture = source prompt, ${STEPS} UNet call(s) at batch 2; edit = ${STEPS} controlled UNet call(s) at batch 4; warm = best of ${WARM} later run(s); ratio = edit step / node cpu's (warm, or cold without warm runs), same run`,
    [
      'runtime',
      'load ms',
      'capture ms',
      'edit ms (cold)',
      'edit ms (warm)',
      WARM ? 'ratio (warm)' : 'ratio (cold)',
      'memory',
      'backend',
    ],
    rows.map((r) => [
      r.name,
      ms(r.cold.nodes.model ?? NaN),
      ms(r.cold.nodes.capture ?? NaN),
      ms(edit(r.cold)),
      ms(warmEdit(r)),
      base && Number.isFinite(bestEdit(r)) ? `${(bestEdit(r) / bestEdit(base)).toFixed(2)}x` : '',
      r.memory,
      r.detail,
    ]),
  );
}
