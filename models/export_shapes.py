#!/usr/bin/python3
"""Export trained tiny-shapes weights (train_shapes.py's weights.npz) to the optimum ONNX layout.

  /usr/bin/python3 models/export_shapes.py models/tiny-shapes/train models/generated/tiny-shapes
  pnpm ptp models import models/generated/tiny-shapes models/packs/tiny-shapes --no-plain
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from make_pack import write_tokenizer_for  # noqa: E402
from ptp_models.export import (MODEL_INDEX, SCHEDULER_CONFIG, export_text_encoder,  # noqa: E402
                               export_unet, export_vae, list_pack_files, write_json)
from ptp_models.presets import tiny_shapes  # noqa: E402
from ptp_models.text_encoder import CLIPTextModel  # noqa: E402
from ptp_models.unet import UNet2DConditionModel  # noqa: E402
from ptp_models.vae import AutoencoderKL, VaeDecoderExport, VaeEncoderExport  # noqa: E402


SHAPES_SCHEDULER = {
    **{k: v for k, v in SCHEDULER_CONFIG.items() if k not in ("skip_prk_steps",)},
    "_class_name": "DDIMScheduler",
    "clip_sample": False,
}


def load(module: torch.nn.Module, arrays, prefix: str) -> torch.nn.Module:
    state = {k[len(prefix) + 1:]: torch.from_numpy(arrays[k].astype(np.float32) if arrays[k].dtype == np.float16 else arrays[k]) for k in arrays.files
             if k.startswith(prefix + "/")}
    module.load_state_dict(state, strict=True)
    return module.eval()


def write_trained_pack(spec, text, unet, vae, out: str) -> None:
    """A small trained pack in the optimum layout (tiny-shapes, tiny-scenes): tokenizer, the three
    networks, their configs, and a DDIM scheduler. Replaces `out`."""
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    write_tokenizer_for(spec, out)
    export_text_encoder(text, out, spec.text.vocab_size)
    write_json(os.path.join(out, "text_encoder", "config.json"), spec.text.transformers_config())
    export_unet(unet, os.path.join(out, "unet", "model.onnx"), spec.latent_size,
                spec.unet.cross_attention_dim)
    write_json(os.path.join(out, "unet", "config.json"), spec.unet.diffusers_config())
    factor = 2 ** (len(spec.vae.block_out_channels) - 1)
    export_vae(VaeEncoderExport(vae), VaeDecoderExport(vae), out, spec.latent_size,
               spec.vae.latent_channels, factor)
    vae_cfg = spec.vae.diffusers_config()
    write_json(os.path.join(out, "vae_encoder", "config.json"), vae_cfg)
    write_json(os.path.join(out, "vae_decoder", "config.json"), vae_cfg)
    # DDIM, not SD's PNDM: the judge in train_shapes.py (and train_scenes.py's log) samples with DDIM,
    # and PNDM's multistep extrapolation drifts off a small model's manifold (colours wrong in most samples).
    write_json(os.path.join(out, "scheduler", "scheduler_config.json"), SHAPES_SCHEDULER)
    write_json(os.path.join(out, "model_index.json"), {**MODEL_INDEX, "scheduler": ["diffusers", "DDIMScheduler"]})


def print_pack_files(out: str) -> None:
    total = 0
    for f, n in list_pack_files(out).items():
        total += n
        print(f"  {f:40s} {n:>12,d}")
    print(f"wrote {out}: {total:,d} bytes")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train_dir")
    ap.add_argument("out")
    args = ap.parse_args(argv)
    with open(os.path.join(args.train_dir, "train.json")) as f:
        info = json.load(f)
    spec = tiny_shapes()
    spec = dataclasses.replace(spec, vae=dataclasses.replace(spec.vae, scaling_factor=info["scaling_factor"]))
    arrays = np.load(os.path.join(args.train_dir, "weights.npz"))
    text = load(CLIPTextModel(spec.text), arrays, "text")
    unet = load(UNet2DConditionModel(spec.unet), arrays, "unet")
    vae = load(AutoencoderKL(spec.vae), arrays, "vae")

    write_trained_pack(spec, text, unet, vae, args.out)
    print_pack_files(args.out)


if __name__ == "__main__":
    main()
