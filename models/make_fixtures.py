#!/usr/bin/python3
"""Write the ONNX patcher fixtures: one small UNet (same weights) in four forms.

  /usr/bin/python3 models/make_fixtures.py [--out models/fixtures] [--seed 0]

  unet-torch113/  torch 1.13 export, attention MatMul -> Mul -> Softmax -> MatMul, heads in batch
  unet-sdpa/      same weights, attention as torch 2's SDPA decomposition, heads kept apart
  unet-fused/     unet-torch113 with attention fused into com.microsoft Attention/MultiHeadAttention
  unet-external/  unet-torch113 saved as model.onnx + model.onnx_data
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ptp_models.export import export_unet, save_with_external_data  # noqa: E402
from ptp_models.fused import fuse_attention  # noqa: E402
from ptp_models.golden import GoldenWriter  # noqa: E402
from ptp_models.init import init_weights, install_noise_prior  # noqa: E402
from ptp_models.presets import UNET_RESIDUAL_STD, fixture_unet_config, set_attention_mode  # noqa: E402
from ptp_models.unet import UNet2DConditionModel  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LATENT = 8

READMES = {
    "unet-torch113": """\
# unet-torch113: a plain torch 1.13 UNet export

`model.onnx`: small SD-shaped UNet (diffusers module names), exported by torch 1.13
`torch.onnx.export`, opset 14, attention written like diffusers 0.3 (`CrossAttention` with heads
folded into the batch, batch-major `[B*heads, S, d]`). Op pattern per attention layer:

    MatMul(q [B*h,Q,d], Transpose(k)) -> Mul(scale) -> Softmax [B*h,Q,K] -> MatMul(P, v)

Names: `/down_blocks.0/attentions.0/transformer_blocks.0/attn1/Softmax` (attn1 self,
attn2 cross).

{layers}

Made by `/usr/bin/python3 models/make_fixtures.py --seed {seed}` (see models/README.md).
""",
    "unet-sdpa": """\
# unet-sdpa: the same UNet with torch 2 SDPA-style attention

`model.onnx`: the weights of `../unet-torch113`, attention written as torch 2's ONNX exporter
decomposes `scaled_dot_product_attention` (diffusers `AttnProcessor2_0`), heads kept apart:

    scale = Div(1, Sqrt(Cast(Slice(Shape(q), -1))))
    MatMul(Mul(q [B,h,Q,d], Sqrt(scale)), Mul(Transpose(k) [B,h,d,K], Sqrt(scale)))
      -> Softmax [B,h,Q,K] -> MatMul(P, v [B,h,K,d])

There is no Mul after the MatMul here: the scale sits on q and k^T. Node names as in
unet-torch113 (`.../attn1/Softmax`). torch 1.13 has no SDPA, so `ptp_models/attention.py`
writes these ops out by hand. In torch (float32) the two forms agree to max |diff| {diff:.2e}
on a [2, 4, 8, 8] batch.

{layers}

Made by `/usr/bin/python3 models/make_fixtures.py --seed {seed}`.
""",
    "unet-fused": """\
# unet-fused: attention fused into com.microsoft contrib ops (patcher must refuse)

`model.onnx`: `../unet-torch113/model.onnx` rewritten by `ptp_models/fused.py` to look like the
output of onnxruntime's transformer optimizer: each attn1 becomes
`com.microsoft.Attention(hidden, packed W_qkv, bias)` named `.../attn1/Attention`, each attn2
`com.microsoft.MultiHeadAttention(q, k, v)` named `.../attn2/MultiHeadAttention`, both with
`num_heads`. No attention Softmax is left, so probabilities cannot be read or replaced: the
patcher must refuse this model with a clear message (or unfuse it).

{fused}
The self-attention `Attention` + cross-attention `MultiHeadAttention` split is what ORT
1.14-era UNet fusion emitted; newer ORT emits MultiHeadAttention with packed QKV for both.
The graph is valid: onnxruntime's CPU contrib kernels run it and give unet-torch113's output.

Made by `/usr/bin/python3 models/make_fixtures.py --seed {seed}`.
""",
    "unet-external": """\
# unet-external: unet-torch113 with external data

`model.onnx` + `model.onnx_data`: the graph of `../unet-torch113` with every initializer of
1024 bytes or more stored in the single file `model.onnx_data` (locations relative to the
model, offsets aligned to 4096 bytes), the layout optimum uses for UNets over 2 GB. Same
weights and outputs as unet-torch113.

{external}

Made by `/usr/bin/python3 models/make_fixtures.py --seed {seed}`.
""",
}


def build_fixture_unet(seed: int) -> UNet2DConditionModel:
    cfg = fixture_unet_config("folded")
    gen = torch.Generator().manual_seed(seed)
    unet = UNet2DConditionModel(cfg).eval()
    init_weights(unet, gen)
    sample = torch.randn(2, 4, LATENT, LATENT, generator=gen)
    context = torch.randn(2, 77, cfg.cross_attention_dim, generator=gen)  # layer-normed-like
    with torch.no_grad():
        install_noise_prior(unet, lambda: unet(sample, torch.tensor(500.0), context), UNET_RESIDUAL_STD)
    return unet


@torch.no_grad()
def compare_modes(unet: UNet2DConditionModel, seed: int) -> float:
    gen = torch.Generator().manual_seed(seed + 1)
    args = (torch.randn(2, 4, LATENT, LATENT, generator=gen), torch.tensor(321.0),
            torch.randn(2, 77, unet.config.cross_attention_dim, generator=gen))
    set_attention_mode(unet, "folded")
    a = unet(*args)
    set_attention_mode(unet, "sdpa")
    b = unet(*args)
    set_attention_mode(unet, "folded")
    return float((a - b).abs().max())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(HERE, "fixtures"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--golden", metavar="OUT", help="also write torch outputs for ort_compare.mjs")
    a = ap.parse_args(argv)
    unet = build_fixture_unet(a.seed)
    cfg = unet.config
    dirs = {k: os.path.join(a.out, k) for k in READMES}
    for d in dirs.values():
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)

    torch113 = os.path.join(dirs["unet-torch113"], "model.onnx")
    export_unet(unet, torch113, LATENT, cfg.cross_attention_dim)
    set_attention_mode(unet, "sdpa")
    export_unet(unet, os.path.join(dirs["unet-sdpa"], "model.onnx"), LATENT, cfg.cross_attention_dim)
    set_attention_mode(unet, "folded")
    diff = compare_modes(unet, a.seed)

    fused = fuse_attention(onnx.load(torch113), cfg.heads)
    onnx.save(fused, os.path.join(dirs["unet-fused"], "model.onnx"))
    save_with_external_data(torch113, os.path.join(dirs["unet-external"], "model.onnx"))

    n_layers = len(unet.attention_layers())
    counts = {}
    for n in fused.graph.node:
        if n.domain == "com.microsoft":
            counts[n.op_type] = counts.get(n.op_type, 0) + 1
    ext = os.path.getsize(os.path.join(dirs["unet-external"], "model.onnx_data"))
    info = dict(
        seed=a.seed, diff=diff,
        layers=(f"{n_layers} attention layers: block_out_channels {list(cfg.block_out_channels)}, "
                f"{cfg.heads} heads,\ncross dim {cfg.cross_attention_dim}; for an 8x8 latent, "
                f"attention at 8x8 and 4x4 and in the mid block at 2x2.\n"
                f"I/O as a pack UNet: sample [B,4,H,W] (H, W multiples of 4), timestep float "
                f"scalar,\nencoder_hidden_states [B,77,32] -> out_sample [B,4,H,W]."),
        fused=f"Fused nodes: {counts}.",
        external=f"`model.onnx_data` is {ext:,d} bytes.",
    )
    for k, d in dirs.items():
        with open(os.path.join(d, "README.md"), "w") as f:
            f.write(READMES[k].format(**info))
    print(f"fixtures written to {a.out}; torch folded vs sdpa max|diff| = {diff:.3e}")
    if a.golden:
        write_golden(unet, a.out, a.golden, a.seed)


@torch.no_grad()
def write_golden(unet: UNet2DConditionModel, fixtures: str, out: str, seed: int) -> None:
    """One torch output, checked against every runnable form (the fused one needs ORT's CPU
    contrib kernels; it is listed too, as running it is a bonus, not a requirement)."""
    gen = torch.Generator().manual_seed(seed + 2)
    inputs = {"sample": torch.randn(2, 4, 12, 8, generator=gen), "timestep": torch.tensor(47.0),
              "encoder_hidden_states": torch.randn(2, 77, unet.config.cross_attention_dim, generator=gen)}
    ref = {"out_sample": unet(*inputs.values())}
    gw = GoldenWriter(out, fixtures)
    for k in READMES:
        gw.case(f"{k}/model.onnx", inputs, ref, 1e-4)
    gw.close()


if __name__ == "__main__":
    main()
