import type { NodeContext } from '@ptp/graph-core';
import type {
  InferenceBackend,
  ModelPack,
  ModelSession,
  PackInfo,
  Scheduler,
  Tensor,
  TensorType,
  Tokenizer,
  UnetLayout,
} from '../runtime/InferenceBackend.js';

/**
 * A fake model pack for node tests: tiny, deterministic, plain TypeScript (no onnxruntime, no
 * files), with models that are simple formulas so a test can predict every output exactly.
 * Use it for nodes whose own logic is under test; tests of real numerics use the bundled packs
 * (`models/packs/tiny-random`, `tiny-shapes`) through the runner's OrtNodeBackend.
 *
 * - tokenizer: one token per space-separated word, lower-cased; ids handed out in order of first
 *   use from 3; BOS 1, EOS = pad 2. Word i of a prompt sits at token position i + 1.
 * - text encoder: `input_ids` [B, T] -> `last_hidden_state` [B, T, hidden], value (id mod 7) / 7.
 * - UNet: `out_sample` = `unetGain` x `sample`; every attention output `ptp_attn_<g>` is the
 *   uniform map 1 / T, [N, cells, T] with N = batch / 2.
 * - VAE decoder: `latent_sample` [N, C, h, w] -> `sample` [N, 3, h*s, w*s], nearest upsampling,
 *   RGB channel c = latent channel c (s = vaeScale).
 * - VAE encoder: `sample` [N, 3, H, W] -> `latent_sample` [N, C, H/s, W/s], the mean of each s x s
 *   block, channel c < 3 from RGB channel c, channel 3 the mean of the three. Decoding what it
 *   encodes gives back an image made of s x s blocks of one colour.
 * - scheduler: not a diffusion scheduler; `steps` timesteps from 999 down, `step` returns
 *   sample - 0.1 x modelOutput. Pass `scheduler` for real ones (the runner's `createScheduler`).
 *
 * Layout: latent 4 channels, nominal 8x8; self and cross layers at 8x8 (downsample 1) and 4x4
 * (downsample 2), one resolution group each with its attention output.
 */
export interface FakePackOptions {
  id?: string;
  tokenLength?: number;
  hiddenSize?: number;
  vaeScale?: number;
  vaeScalingFactor?: number;
  defaultImageSize?: number;
  unetGain?: number;
  /** false: the pack has no VAE encoder. */
  vaeEncoder?: boolean;
  scheduler?: ModelPack['createScheduler'];
}

/** A ModelSession whose outputs come from `run`; every call's feeds are kept in `calls`. */
export interface FakeSession extends ModelSession {
  readonly calls: Readonly<Record<string, Tensor>>[];
}

export function fakeSession(
  inputs: Readonly<Record<string, { type: TensorType; dims: readonly (number | string)[] }>>,
  outputNames: readonly string[],
  run: (feeds: Readonly<Record<string, Tensor>>) => Record<string, Tensor>,
): FakeSession {
  const calls: Readonly<Record<string, Tensor>>[] = [];
  return {
    inputNames: Object.keys(inputs),
    outputNames,
    calls,
    inputMeta: (name) => inputs[name],
    run: async (feeds, outputs) => {
      calls.push(feeds);
      const all = run(feeds);
      return outputs ? Object.fromEntries(outputs.map((o) => [o, all[o]!])) : all;
    },
  };
}

const f32 = (dims: number[], data: Float32Array): Tensor => ({ type: 'float32', dims, data });

export function fakeTokenizer(modelMaxLength = 77): Tokenizer {
  const vocab = new Map<string, number>();
  const words = (text: string) => text.toLowerCase().trim().split(/\s+/).filter(Boolean);
  const id = (w: string) => vocab.get(w) ?? (vocab.set(w, vocab.size + 3), vocab.size + 2);
  return {
    modelMaxLength,
    encodePadded(text, length = modelMaxLength) {
      const ids = [
        1,
        ...words(text)
          .slice(0, Math.max(length - 2, 0))
          .map(id),
        2,
      ];
      while (ids.length < length) ids.push(2);
      return ids.slice(0, length);
    },
    tokenizeWords: (text) => words(text).map((word, i) => ({ word, tokenIndices: [i + 1] })),
  };
}

export function fakeScheduler(): Scheduler {
  const alphasCumprod = Float32Array.from({ length: 1000 }, (_, i) => 1 - (i + 1) / 1001);
  const s: Scheduler & { timesteps: number[] } = {
    timesteps: [],
    initNoiseSigma: 1,
    alphasCumprod,
    needsNoise: () => false,
    setTimesteps(n) {
      s.timesteps = Array.from({ length: n }, (_, i) => Math.round(999 - (i * 999) / Math.max(n, 1)));
    },
    scaleModelInput: (sample) => sample,
    step: (out, _t, sample) => sample.map((v, i) => v - 0.1 * out[i]!) as typeof sample,
  };
  return s;
}

export function fakeLayout(tokenLength = 77): UnetLayout {
  const groups = [
    { name: '8x8', downsample: 1 },
    { name: '4x4', downsample: 2 },
  ];
  return {
    tokenLength,
    latentChannels: 4,
    nominalLatentSize: [8, 8],
    unet: {
      io: {
        sample: 'sample',
        timestep: 'timestep',
        encoderHiddenStates: 'encoder_hidden_states',
        output: 'out_sample',
      },
    },
    layers: groups.flatMap((g, i) => [
      { id: `s${i}`, kind: 'self' as const, index: i, downsample: g.downsample, group: g.name },
      { id: `c${i}`, kind: 'cross' as const, index: i, downsample: g.downsample, group: g.name },
    ]),
    resolutionGroups: groups.map((g, i) => ({
      name: g.name,
      output: `ptp_attn_${g.name}`,
      downsample: g.downsample,
      crossLayers: [`c${i}`],
      selfLayers: [`s${i}`],
    })),
    attentionOutputs: groups.map((g) => `ptp_attn_${g.name}`),
    controls: {
      crossAlpha: 'ptp_cross_alpha',
      crossMapper: 'ptp_cross_mapper',
      equalizer: 'ptp_equalizer',
      crossKeep: 'ptp_cross_keep',
      selfAlpha: 'ptp_self_alpha',
      vBeta: 'ptp_v_beta',
    },
  };
}

export type FakePack = ModelPack & {
  readonly textEncoder: FakeSession;
  readonly unet: FakeSession;
  readonly vaeDecoder: FakeSession;
  readonly vaeEncoder?: FakeSession;
};

/** The text encoder: every hidden value of a token is (id mod 7) / 7. */
function fakeTextEncoder(T: number, D: number): FakeSession {
  return fakeSession({ input_ids: { type: 'int64', dims: ['batch', T] } }, ['last_hidden_state'], (feeds) => {
    const ids = feeds.input_ids!;
    const out = new Float32Array(ids.data.length * D);
    ids.data.forEach((v: number | bigint, i: number) => out.fill((Number(v) % 7) / 7, i * D, (i + 1) * D));
    return { last_hidden_state: f32([ids.dims[0]!, T, D], out) };
  });
}

/** The UNet: `gain` x sample, and a uniform 1 / T map for every attention output. */
function fakeUnet(layout: UnetLayout, T: number, D: number, gain: number): FakeSession {
  const C = layout.latentChannels;
  return fakeSession(
    {
      sample: { type: 'float32', dims: ['batch', C, 'h', 'w'] },
      timestep: { type: 'float32', dims: [] },
      encoder_hidden_states: { type: 'float32', dims: ['batch', T, D] },
    },
    ['out_sample', ...layout.attentionOutputs],
    (feeds) => {
      const x = feeds.sample!;
      const [B, , h, w] = x.dims as number[];
      const out: Record<string, Tensor> = {
        out_sample: f32(
          [...x.dims],
          (x.data as Float32Array).map((v) => v * gain),
        ),
      };
      for (const g of layout.resolutionGroups) {
        const cells = Math.ceil(h! / g.downsample) * Math.ceil(w! / g.downsample);
        out[g.output!] = f32([B! / 2, cells, T], new Float32Array((B! / 2) * cells * T).fill(1 / T));
      }
      return out;
    },
  );
}

/** The VAE decoder: nearest upsampling by s, RGB channel c from latent channel c. */
function fakeVaeDecoder(C: number, s: number): FakeSession {
  return fakeSession({ latent_sample: { type: 'float32', dims: ['batch', C, 'h', 'w'] } }, ['sample'], (feeds) => {
    const z = feeds.latent_sample!;
    const [n, c, h, w] = z.dims as [number, number, number, number];
    const [H, W] = [h * s, w * s];
    const src = z.data as Float32Array;
    const out = new Float32Array(n * 3 * H * W);
    for (let b = 0; b < n; b++)
      for (let ch = 0; ch < 3; ch++)
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) {
            out[((b * 3 + ch) * H + y) * W + x] =
              src[((b * c + Math.min(ch, c - 1)) * h + Math.floor(y / s)) * w + Math.floor(x / s)]!;
          }
    return { sample: f32([n, 3, H, W], out) };
  });
}

/** The VAE encoder: the mean of each s x s block; channel 3 the mean of the three. */
function fakeVaeEncoder(C: number, s: number): FakeSession {
  return fakeSession({ sample: { type: 'float32', dims: ['batch', 3, 'H', 'W'] } }, ['latent_sample'], (feeds) => {
    const px = feeds.sample!;
    const [n, , H, W] = px.dims as [number, number, number, number];
    const [h, w] = [H / s, W / s];
    const src = px.data as Float32Array;
    const out = new Float32Array(n * C * h * w);
    for (let b = 0; b < n; b++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const mean = [0, 0, 0];
          for (let ch = 0; ch < 3; ch++) {
            for (let dy = 0; dy < s; dy++)
              for (let dx = 0; dx < s; dx++) mean[ch]! += src[((b * 3 + ch) * H + y * s + dy) * W + x * s + dx]!;
            mean[ch]! /= s * s;
          }
          for (let c = 0; c < C; c++)
            out[((b * C + c) * h + y) * w + x] = c < 3 ? mean[c]! : (mean[0]! + mean[1]! + mean[2]!) / 3;
        }
    return { latent_sample: f32([n, C, h, w], out) };
  });
}

export function fakePack(o: FakePackOptions = {}): FakePack {
  const T = o.tokenLength ?? 77;
  const D = o.hiddenSize ?? 8;
  const s = o.vaeScale ?? 4;
  const gain = o.unetGain ?? 0.1;
  const layout = fakeLayout(T);
  const C = layout.latentChannels;

  const textEncoder = fakeTextEncoder(T, D);
  const unet = fakeUnet(layout, T, D, gain);
  const vaeDecoder = fakeVaeDecoder(C, s);
  const vaeEncoder = fakeVaeEncoder(C, s);

  return {
    id: o.id ?? 'fake',
    tokenizer: fakeTokenizer(T),
    textEncoder,
    unet,
    vaeDecoder,
    ...(o.vaeEncoder === false ? {} : { vaeEncoder }),
    layout,
    vaeScalingFactor: o.vaeScalingFactor ?? 0.5,
    vaeScale: s,
    defaultImageSize: o.defaultImageSize ?? 32,
    createScheduler: o.scheduler ?? (() => fakeScheduler()),
  };
}

/** An InferenceBackend over fixed packs; `loads` lists every loadPack id in order. */
export function fakeBackend(packs: readonly ModelPack[] = [fakePack()]): InferenceBackend & { loads: string[] } {
  const loads: string[] = [];
  return {
    name: 'fake',
    provider: 'cpu',
    loads,
    listPacks: async (): Promise<PackInfo[]> =>
      packs.map((p) => ({ id: p.id, name: p.id, defaultImageSize: p.defaultImageSize })),
    loadPack: async (id) => {
      loads.push(id);
      const pack = packs.find((p) => p.id === id);
      if (!pack) throw new Error(`no model pack "${id}"; have ${packs.map((p) => p.id).join(', ')}`);
      return pack;
    },
  };
}

/** A NodeContext for calling `node.run` directly; progress calls land in `progressCalls`. */
export function fakeContext(
  o: { backend?: unknown; signal?: AbortSignal; nodeId?: string } = {},
): NodeContext & { progressCalls: [number, number][] } {
  const progressCalls: [number, number][] = [];
  const quiet = () => {};
  return {
    nodeId: o.nodeId ?? 'n',
    signal: o.signal ?? new AbortController().signal,
    progress: (value, max) => void progressCalls.push([value, max]),
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    backend: o.backend,
    workflow: undefined,
    resources: {},
    progressCalls,
  };
}
