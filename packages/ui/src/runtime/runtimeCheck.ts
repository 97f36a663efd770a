// runtime-check.html: shows which backend the browser runtime gets (WebGPU adapter or wasm) and
// exposes it as `window.ptpRuntime` for the browser tests and the browser bench.
import { createWorkerRunner, type WorkerRunner, type WorkerRunnerOptions } from './index';
import type { RunnerResult } from './Runner';

export interface RuntimeCheckApi {
  createWorkerRunner(options?: WorkerRunnerOptions): WorkerRunner;
  /** Shows result PNGs on the page (for screenshots). */
  show(result: RunnerResult): void;
}

declare global {
  interface Window {
    ptpRuntime: RuntimeCheckApi;
  }
}

const infoEl = document.getElementById('info')!;
const imagesEl = document.getElementById('images')!;

window.ptpRuntime = {
  createWorkerRunner,
  show(result) {
    imagesEl.replaceChildren(
      ...result.files.map((f) => {
        const img = document.createElement('img');
        img.src = URL.createObjectURL(new Blob([f.data as Uint8Array<ArrayBuffer>], { type: f.mime }));
        img.alt = f.name;
        img.style.cssText = 'width:256px;image-rendering:pixelated;margin:4px';
        return img;
      }),
    );
  },
};

const probe = createWorkerRunner();
probe
  .info()
  .then((info) => {
    infoEl.textContent = JSON.stringify(info, null, 2);
  })
  .catch((err: unknown) => {
    infoEl.textContent = `the browser runtime failed: ${(err as Error).message}`;
  })
  .finally(() => probe.dispose());
