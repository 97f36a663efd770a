#!/usr/bin/python3
"""Export trained tiny-scenes weights (train_scenes.py's shards + train.json) to the optimum ONNX layout.

  /usr/bin/python3 models/export_scenes.py <train dir> models/generated/tiny-scenes
  pnpm ptp models import models/generated/tiny-scenes models/packs/tiny-scenes --no-plain
  # optional: torch outputs of the trained weights, compared with onnxruntime
  /usr/bin/python3 models/export_scenes.py <train dir> <out> --golden /tmp/g && node models/ort_compare.mjs /tmp/g
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from export_shapes import print_pack_files, write_trained_pack  # noqa: E402
from ptp_models.presets import tiny_scenes  # noqa: E402
from ptp_models.shards import load_module, read_shards  # noqa: E402
from ptp_models.text_encoder import CLIPTextModel  # noqa: E402
from ptp_models.unet import UNet2DConditionModel  # noqa: E402
from ptp_models.vae import AutoencoderKL, VaeDecoderExport, VaeEncoderExport  # noqa: E402


@torch.no_grad()
def write_goldens(pack: str, out: str, spec, text, unet, vae) -> None:
    """As check_pack.write_goldens, for the trained weights: scenes prompts, 16x16 and 8x24 latents."""
    from ptp_models.golden import GoldenWriter
    from ptp_models.tokenizer_vocab import ClipBpe, read_tokenizer

    gw = GoldenWriter(out, pack)
    tok = ClipBpe(*read_tokenizer(os.path.join(pack, "tokenizer")))
    prompts = ["a red circle and a blue square on a striped background", ""]
    ids = torch.tensor([tok(p) for p in prompts], dtype=torch.int64)
    gen = torch.Generator().manual_seed(1234)
    last, pooled = text(ids)
    gw.case("text_encoder/model.onnx", {"input_ids": ids}, {"last_hidden_state": last, "pooler_output": pooled}, 1e-4)
    for (h, w, t) in [(spec.latent_size, spec.latent_size, 981.0), (8, 24, 1.0)]:  # multiples of 8
        sample = torch.randn(2, 4, h, w, generator=gen)
        ts = torch.tensor(t)
        gw.case("unet/model.onnx", {"sample": sample, "timestep": ts, "encoder_hidden_states": last},
                {"out_sample": unet(sample, ts, last)}, 1e-3)
    enc, dec = VaeEncoderExport(vae), VaeDecoderExport(vae)
    img = torch.rand(1, 3, 64, 80, generator=gen) * 2 - 1
    gw.case("vae_encoder/model.onnx", {"sample": img}, {"latent_sample": enc(img)}, 1e-3)
    z = torch.randn(2, 4, spec.latent_size, spec.latent_size, generator=gen) / spec.vae.scaling_factor
    gw.case("vae_decoder/model.onnx", {"latent_sample": z}, {"sample": dec(z)}, 1e-3)
    gw.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train_dir")
    ap.add_argument("out")
    ap.add_argument("--golden", metavar="DIR", help="also write torch goldens for models/ort_compare.mjs")
    args = ap.parse_args(argv)
    with open(os.path.join(args.train_dir, "train.json")) as f:
        info = json.load(f)
    spec = tiny_scenes()
    spec = dataclasses.replace(spec, vae=dataclasses.replace(spec.vae, scaling_factor=info["scaling_factor"]))
    arrays = read_shards(args.train_dir, info["shards"])
    text = load_module(CLIPTextModel(spec.text), arrays, "text").eval()
    unet = load_module(UNet2DConditionModel(spec.unet), arrays, "unet").eval()
    vae = load_module(AutoencoderKL(spec.vae), arrays, "vae").eval()

    write_trained_pack(spec, text, unet, vae, args.out)
    if args.golden:
        write_goldens(args.out, args.golden, spec, text, unet, vae)
    print_pack_files(args.out)


if __name__ == "__main__":
    main()
