import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDocument } from '@ptp/graph-core';
import { createNodeRegistry, readPngText } from '@ptp/nodes';
import { describe, it } from 'vitest';
import { repoRoot } from './support/repoRoot.js';

/**
 * Every example runs through `pnpm ptp run` on the tiny pack on cpu (a representative few on
 * webgpu too), and its saved PNGs carry a workflow that reloads to a document equal to the one
 * that ran. Steps are lowered with --set (the graph is otherwise the shipped one) to keep CI quick.
 */
const registry = createNodeRegistry();
const examples = readdirSync(path.join(repoRoot, 'examples')).filter(
  (f) => f.endsWith('.json') && f !== 'schedule-preview.json',
);

// WebGPU runs on SwiftShader here (a CPU rasteriser): each example costs tens of seconds to
// minutes, so CI runs the ones that cover distinct node paths (edit with blend and attention maps,
// real image + inversion); plain generation on webgpu is tinyPackRuntime.test.ts's cpu/webgpu check,
// and the rest are covered on webgpu by node-level tests.
const WEBGPU_EXAMPLES = new Set(['tiny-word-swap.json', 'edit-real-image.json']);

// Two runs at a time: a run spends much of its time loading (single-threaded), so on a 2-core
// machine two overlap well; more only queue for the cores.
const PARALLEL_RUNS = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function inTurn<T>(run: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL_RUNS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await run();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const ptpRun = (args: string[]) =>
  inTurn(() =>
    promisify(execFile)('pnpm', ['ptp', 'run', ...args], { cwd: repoRoot, encoding: 'utf8' }).then(
      (r) => ({ status: 0, stderr: r.stderr }),
      (err: { code?: number; stderr?: string }) => ({ status: err.code ?? 1, stderr: err.stderr ?? String(err) }),
    ),
  );

describe.concurrent.each(['cpu', 'webgpu'])('examples through `pnpm ptp run` (%s)', (provider) => {
  // The test's own `expect`: its tests run concurrently.
  it.for(examples.filter((f) => provider === 'cpu' || WEBGPU_EXAMPLES.has(f)))('%s', async (file, { expect }) => {
    const text = readFileSync(path.join(repoRoot, 'examples', file), 'utf8');
    const stepsNode = JSON.parse(text).nodes.find((n: { params: Record<string, unknown> }) => 'steps' in n.params)
      .id as string;
    const out = mkdtempSync(path.join(tmpdir(), `ptp-ex-${provider}-`));
    const r = await ptpRun([`examples/${file}`, '--provider', provider, '--out', out, '--set', `${stepsNode}.steps=3`]);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'success', provider });
    const expected = loadDocument(text, { registry });
    if (!expected.ok) throw new Error('example failed to load');
    expected.value.nodes.find((n) => n.id === stepsNode)!.params.steps = 3;
    const saved = (summary.outputs as string[]).filter((f) => !f.includes('attention'));
    expect(saved.length).toBeGreaterThan(0);
    for (const name of saved) {
      const png = readPngText(new Uint8Array(readFileSync(path.join(out, name))));
      if (!png.ok) throw new Error(png.message);
      const reloaded = loadDocument(png.text.workflow!, { registry });
      expect(reloaded.ok && reloaded.value).toEqual(expected.value);
    }
  });
});
