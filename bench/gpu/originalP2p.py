"""Stage 1 of bench/gpu/gpuBench.py, in its own process: the original Prompt-to-Prompt controllers
(the reference notebook's cell 3 and ptp_utils, from the carried copy of ../shared/reference-code,
loaded at run time only) driving the project's SD-1.5-shaped PyTorch model in eager mode.
gpuBench.py runs `python3 bench/gpu/originalP2p.py ARGS` and reads the one JSON line it prints.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
# The case studioBench.ts runs too: same prompts, schedule and blend.
SOURCE = "a photo of a cat riding a bicycle"
TARGET = "a photo of a dog riding a bicycle"


class ClipTokenizer:
    """HF-like tokenizer (what the reference code calls) over the project's CLIP BPE."""

    model_max_length = 77

    def __init__(self, bpe):
        from ptp_models.tokenizer_vocab import bytes_to_unicode
        self.bpe = bpe
        self.inv = {i: s for s, i in bpe.vocab.items()}
        self.u2b = {u: b for b, u in bytes_to_unicode().items()}

    def encode(self, text):
        return [self.bpe.bos] + self.bpe.encode(text) + [self.bpe.eos]

    def decode(self, ids):
        # '</w>' is made of byte-level symbols too: decode the bytes, then turn word ends into spaces.
        raw = bytearray(self.u2b[c] for c in "".join(self.inv[i] for i in ids))
        return raw.decode("utf-8", errors="replace").replace("</w>", " ").strip()

    def __call__(self, prompts, padding="max_length", max_length=77, truncation=True, return_tensors="pt"):
        import torch

        class Batch:
            input_ids = torch.tensor([self.bpe(p, max_length) for p in prompts], dtype=torch.long)
        return Batch()


def original_stage(a) -> dict:
    import torch
    ref = os.path.join(a.carry_dir, "reference")
    sys.path[:0] = [os.path.join(ref, "original-p2p", "stubs"), os.path.join(ref, "original-p2p"),
                    os.path.join(ref, "diffusers-schedulers"), os.path.join(REPO, "models")]
    from ptp_models.presets import build_models, get_spec
    from ptp_models.tokenizer_vocab import ClipBpe, read_tokenizer
    from ptp_models.vae import VaeDecoderExport
    # ptp_utils imports tqdm.notebook, which needs ipywidgets outside Jupyter: a plain iterator instead.
    import types
    sys.modules["tqdm.notebook"] = types.SimpleNamespace(tqdm=lambda it, *a, **k: it)
    import ptp_utils
    import seq_aligner
    from diffusers.schedulers.scheduling_pndm import PNDMScheduler

    dev = torch.device(a.device)
    if a.threads:
        torch.set_num_threads(a.threads)
    t0 = time.time()
    spec = get_spec("sd15-shaped", a.shrink)
    models = build_models(spec, seed=0)  # make_pack.py's seed: the same weights as the studio's pack
    build_s = time.time() - t0
    unet = models.unet.to(dev)
    text = models.text.to(dev)
    dec = VaeDecoderExport(models.vae).to(dev)
    for _, m in unet.attention_layers():  # the names the reference's forward calls
        m.reshape_heads_to_batch_dim = m._heads_to_batch
        m.reshape_batch_dim_to_heads = m._batch_to_heads
    tok = ClipTokenizer(ClipBpe(*read_tokenizer(os.path.join(REPO, "fixtures", "clip-bpe"))))

    class Unet:  # what ptp_utils calls: unet(x, t, encoder_hidden_states=...)["sample"], named_children
        in_channels = 4

        def __call__(self, x, t, encoder_hidden_states):
            return {"sample": unet(x, torch.as_tensor(t, device=dev).float(), encoder_hidden_states)}

        def named_children(self):
            return unet.named_children()

    class Scheduler:  # diffusers' own PNDM (SD 1.x config), as the reference runs
        def __init__(self):
            self.s = PNDMScheduler(num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012,
                                   beta_schedule="scaled_linear", steps_offset=1, set_alpha_to_one=False,
                                   skip_prk_steps=True)

        def set_timesteps(self, n, offset=None):
            self.s.set_timesteps(n)
            self.timesteps = self.s.timesteps

        def step(self, eps, t, x):
            return {"prev_sample": self.s.step(eps, t, x).prev_sample}

    class Vae:
        def decode(self, z):
            return {"sample": dec(z)}

    class Model:
        pass

    model = Model()
    model.tokenizer, model.device, model.unet, model.vae = tok, dev, Unet(), Vae()
    model.text_encoder = lambda ids: text(ids)

    cells = open(os.path.join(ref, "original-p2p", "notebook_cells.py")).read().split("#-----")
    import typing
    import abc
    import torch.nn.functional as nnf
    import numpy as np
    nb = dict(__name__="nb", torch=torch, np=np, nnf=nnf, abc=abc, ptp_utils=ptp_utils, seq_aligner=seq_aligner,
              Optional=typing.Optional, Union=typing.Union, Tuple=typing.Tuple, List=typing.List,
              Callable=typing.Callable, Dict=typing.Dict, LOW_RESOURCE=False, NUM_DIFFUSION_STEPS=a.steps,
              GUIDANCE_SCALE=7.5, MAX_NUM_WORDS=77, device=dev, tokenizer=tok)
    exec(cells[3], nb)  # the controllers cell: AttentionStore, AttentionReplace, LocalBlend, EmptyControl

    step_ms = []
    original_step = ptp_utils.diffusion_step

    def timed_step(*args, **kw):
        sync()
        s = time.perf_counter()
        out = original_step(*args, **kw)
        sync()
        step_ms.append((time.perf_counter() - s) * 1000)
        return out

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    ptp_utils.diffusion_step = timed_step
    original_init_latent = ptp_utils.init_latent

    def init_latent(latent, model, height, width, generator, batch_size):
        # text2image_ldm_stable hard-codes 512 px; take the size from the given latent instead, so
        # a dry run can be smaller (at 512 px this is exactly the original's result).
        return original_init_latent(latent, model, 8 * latent.shape[2], 8 * latent.shape[3], generator, batch_size)

    ptp_utils.init_latent = init_latent
    prompts = [SOURCE, TARGET]
    side = a.size // 8
    latent = torch.randn(1, 4, side, side, generator=torch.Generator().manual_seed(7))

    def controller(kind, steps):
        if kind == "generation":
            return nb["EmptyControl"]()
        blend = nb["LocalBlend"](prompts, ("cat", "dog"), threshold=0.3)
        return nb["AttentionReplace"](prompts, steps, cross_replace_steps=0.8, self_replace_steps=0.4,
                                      local_blend=blend)

    def text2image(kind, steps):
        nb["NUM_DIFFUSION_STEPS"] = steps
        model.scheduler = Scheduler()
        # The reference hard-codes 512 px in text2image_ldm_stable; init_latent takes the size from `latent`.
        return ptp_utils.text2image_ldm_stable(model, prompts, controller(kind, steps), latent=latent.to(dev),
                                               num_inference_steps=steps, guidance_scale=7.5)

    results = {}
    for kind in ("generation", "edit"):
        if a.warmup_steps > 0:
            text2image(kind, a.warmup_steps)  # warm-up: kernels, allocator, autotuning
        step_ms.clear()
        if dev.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        sync()
        s = time.perf_counter()
        images, _ = text2image(kind, a.steps)
        sync()
        total = time.perf_counter() - s
        ordered = sorted(step_ms)
        results[kind] = dict(totalSeconds=total, unetCalls=len(step_ms), medianStepMs=ordered[len(ordered) // 2],
                             minStepMs=ordered[0], maxStepMs=ordered[-1], stepMs=[round(x, 1) for x in step_ms],
                             torchPeakMiB=round(torch.cuda.max_memory_allocated() / 2**20) if dev.type == "cuda" else None,
                             imageMean=float(images.astype("float32").mean()))
    return dict(buildSeconds=build_s, torch=torch.__version__, device=str(dev),
                gpu=torch.cuda.get_device_name() if dev.type == "cuda" else None,
                tf32Matmul=torch.backends.cuda.matmul.allow_tf32, **results)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--carry-dir", required=True)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup-steps", type=int, default=3)
    ap.add_argument("--shrink", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    print(json.dumps(original_stage(ap.parse_args())), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
