#!/usr/bin/python3
"""Export trained tiny-scenes weights (train_scenes.py's shards + train.json) to the optimum ONNX layout.

  /usr/bin/python3 models/export_scenes.py <train dir> models/generated/tiny-scenes
  pnpm ptp models import models/generated/tiny-scenes models/packs/tiny-scenes --no-plain
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from export_shapes import SHAPES_SCHEDULER  # noqa: E402
from make_pack import write_tokenizer_for  # noqa: E402
from ptp_models.export import (MODEL_INDEX, export_text_encoder, export_unet, export_vae,  # noqa: E402
                               list_pack_files, write_json)
from ptp_models.presets import tiny_scenes  # noqa: E402
from ptp_models.shards import load_module, read_shards  # noqa: E402
from ptp_models.text_encoder import CLIPTextModel  # noqa: E402
from ptp_models.unet import UNet2DConditionModel  # noqa: E402
from ptp_models.vae import AutoencoderKL, VaeDecoderExport, VaeEncoderExport  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train_dir")
    ap.add_argument("out")
    args = ap.parse_args(argv)
    with open(os.path.join(args.train_dir, "train.json")) as f:
        info = json.load(f)
    spec = tiny_scenes()
    spec = dataclasses.replace(spec, vae=dataclasses.replace(spec.vae, scaling_factor=info["scaling_factor"]))
    arrays = read_shards(args.train_dir, info["shards"])
    text = load_module(CLIPTextModel(spec.text), arrays, "text").eval()
    unet = load_module(UNet2DConditionModel(spec.unet), arrays, "unet").eval()
    vae = load_module(AutoencoderKL(spec.vae), arrays, "vae").eval()

    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    write_tokenizer_for(spec, args.out)
    export_text_encoder(text, args.out, spec.text.vocab_size)
    write_json(os.path.join(args.out, "text_encoder", "config.json"), spec.text.transformers_config())
    export_unet(unet, os.path.join(args.out, "unet", "model.onnx"), spec.latent_size,
                spec.unet.cross_attention_dim)
    write_json(os.path.join(args.out, "unet", "config.json"), spec.unet.diffusers_config())
    factor = 2 ** (len(spec.vae.block_out_channels) - 1)
    export_vae(VaeEncoderExport(vae), VaeDecoderExport(vae), args.out, spec.latent_size,
               spec.vae.latent_channels, factor)
    vae_cfg = spec.vae.diffusers_config()
    write_json(os.path.join(args.out, "vae_encoder", "config.json"), vae_cfg)
    write_json(os.path.join(args.out, "vae_decoder", "config.json"), vae_cfg)
    # DDIM, as tiny-shapes: the training log's judge samples with DDIM, and PNDM's multistep
    # extrapolation drifts off a small model's manifold.
    write_json(os.path.join(args.out, "scheduler", "scheduler_config.json"), SHAPES_SCHEDULER)
    write_json(os.path.join(args.out, "model_index.json"), {**MODEL_INDEX, "scheduler": ["diffusers", "DDIMScheduler"]})
    total = 0
    for f, n in list_pack_files(args.out).items():
        total += n
        print(f"  {f:40s} {n:>12,d}")
    print(f"wrote {args.out}: {total:,d} bytes")


if __name__ == "__main__":
    main()
