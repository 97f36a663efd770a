#!/usr/bin/python3
"""Torch-side behaviour of a random preset: UNet output scale, attention contrast, and a 50-step
DDIM run with classifier-free guidance 7.5 (latent scale, sensitivity, prompt effect).

  /usr/bin/python3 models/check_sampling.py [--preset tiny-random] [--seed 0]
"""
from __future__ import annotations

import argparse
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ptp_models import attention  # noqa: E402
from ptp_models.presets import build_models, get_spec  # noqa: E402
from ptp_models.tokenizer_vocab import TINY_WORDS, ClipBpe, build_reduced_bpe  # noqa: E402

PROMPTS = ["", "a red circle on a white background", "a blue square on a white background"]


def attention_stats(unet, x, t, ctx):
    """Mean row max and normalised entropy of every attention map (folded formulation)."""
    stats, orig = [], attention.CrossAttention._folded

    def spy(self, q, k, v):
        p = (torch.matmul(self._heads_to_batch(q), self._heads_to_batch(k).transpose(-1, -2))
             * self.scale).softmax(-1)
        ent = -(p * p.clamp_min(1e-12).log()).sum(-1).mean() / math.log(p.shape[-1])
        stats.append((self._ptp_name, p.shape[-1], float(p.max(-1).values.mean()), float(ent)))
        return orig(self, q, k, v)

    for name, m in unet.attention_layers():
        m._ptp_name = name
    attention.CrossAttention._folded = spy
    try:
        unet(x, t, ctx)
    finally:
        attention.CrossAttention._folded = orig
    return stats


def ddim(unet, x, ctx_u, ctx_c, steps=50, guidance=7.5):
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000) ** 2
    abar = torch.cumprod(1 - betas, 0)
    ts = [t + 1 for t in range(0, 1000, 1000 // steps)][::-1]  # steps_offset 1, "leading"
    stds = []
    for i, t in enumerate(ts):
        e_u, e_c = unet(torch.cat([x, x]), torch.tensor(float(t)), torch.cat([ctx_u, ctx_c])).chunk(2)
        eps = e_u + guidance * (e_c - e_u)
        a = abar[t]
        a_prev = abar[ts[i + 1]] if i + 1 < len(ts) else abar[0]
        x0 = (x - (1 - a).sqrt() * eps) / a.sqrt()
        x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
        stds.append(float(x.std()))
    return x, stds


@torch.no_grad()
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="tiny-random")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    spec = get_spec(a.preset)
    m = build_models(spec, a.seed)
    tok = ClipBpe(*build_reduced_bpe(TINY_WORDS)) if spec.tokenizer == "reduced" else None
    if tok is None:
        raise SystemExit("this check uses the reduced tokenizer presets")
    ctx = m.text(torch.tensor([tok(p) for p in PROMPTS]))[0]
    gen = torch.Generator().manual_seed(5)
    n = spec.latent_size
    x = torch.randn(2, 4, n, n, generator=gen)
    for t in (981.0, 500.0, 1.0):
        out = m.unet(x, torch.tensor(t), ctx[:2])
        corr = torch.nn.functional.cosine_similarity(out.flatten(), x.flatten(), dim=0)
        print(f"t={t:5.0f}: out_sample std {out.std():.3f}, correlation with sample {corr:.3f}")
    print("attention at t=500 (K keys, mean row max, normalised entropy; uniform = 1/K, 1.0):")
    for name, k, mx, ent in attention_stats(m.unet, x, torch.tensor(500.0), ctx[:2]):
        print(f"  {name:58s} K={k:3d} max {mx:.3f} H {ent:.3f}")
    x0 = torch.randn(1, 4, n, n, generator=gen)
    xa, stds = ddim(m.unet, x0, ctx[0:1], ctx[1:2])
    print(f"DDIM 50 steps, CFG 7.5: latent std min {min(stds):.2f} max {max(stds):.2f} final {stds[-1]:.2f}")
    xb, _ = ddim(m.unet, x0 + 1e-5 * torch.randn(x0.shape, generator=gen), ctx[0:1], ctx[1:2])
    print(f"  initial latent +1e-5 noise -> final max|diff| {float((xa - xb).abs().max()):.2e}")
    xc, _ = ddim(m.unet, x0, ctx[0:1], ctx[2:3])
    print(f"  prompt '{PROMPTS[1]}' -> '{PROMPTS[2]}': final mean|diff| "
          f"{float((xa - xc).abs().mean()):.3f} (mean|x| {float(xa.abs().mean()):.3f})")


if __name__ == "__main__":
    main()
