#!/usr/bin/python3
"""Write a model pack (diffusers/optimum ONNX layout) with seeded random weights.

  /usr/bin/python3 models/make_pack.py --preset tiny-random --out models/exports/tiny-random --seed 0
  /usr/bin/python3 models/make_pack.py --preset sd15-shaped            # -> models/generated/sd15-shaped
  /usr/bin/python3 models/make_pack.py --preset sd15-shaped --shrink 8 --out /tmp/sd15-s8

The manifest describing attention controls is NOT written here: the TypeScript patcher adds it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ptp_models.export import (MODEL_INDEX, SCHEDULER_CONFIG, export_text_encoder,  # noqa: E402
                               export_unet, export_vae, list_pack_files, write_json)
from ptp_models.presets import PRESETS, build_models, get_spec  # noqa: E402
from ptp_models.tokenizer_vocab import (build_reduced_bpe, check_single_tokens,  # noqa: E402
                                        read_tokenizer, write_tokenizer,
                                        write_tokenizer_config)
from ptp_models.vae import VaeDecoderExport, VaeEncoderExport  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CLIP_BPE_DIR = os.environ.get("PTP_CLIP_BPE_DIR", os.path.join(HERE, "..", "fixtures", "clip-bpe"))


def write_tokenizer_for(spec, out_dir: str) -> None:
    tok_dir = os.path.join(out_dir, "tokenizer")
    if spec.tokenizer == "reduced":
        vocab, merges = build_reduced_bpe(spec.words)
        split = check_single_tokens(spec.words, vocab, merges)
        if split:
            raise SystemExit(f"word list order splits these words into several tokens: {split}")
        assert len(vocab) == spec.text.vocab_size
        write_tokenizer(tok_dir, vocab, merges)
    else:  # the full CLIP vocabulary, copied verbatim
        vocab, _ = read_tokenizer(CLIP_BPE_DIR)
        assert len(vocab) == spec.text.vocab_size, (len(vocab), spec.text.vocab_size)
        os.makedirs(tok_dir, exist_ok=True)
        for f in ("vocab.json", "merges.txt"):
            shutil.copyfile(os.path.join(CLIP_BPE_DIR, f), os.path.join(tok_dir, f))
        write_tokenizer_config(tok_dir)


def _log(msg: str) -> None:
    print(msg, flush=True)


def make_pack(preset: str, out_dir: str, seed: int, shrink: int = 1, log=_log) -> dict:
    spec = get_spec(preset, shrink)
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    timings = {}

    t0 = time.time()
    models = build_models(spec, seed)
    timings["build"] = time.time() - t0
    log(f"[{spec.name}] built + calibrated in {timings['build']:.1f}s: {models.calibration}")

    t0 = time.time()
    write_tokenizer_for(spec, out_dir)
    export_text_encoder(models.text, out_dir, spec.text.vocab_size)
    write_json(os.path.join(out_dir, "text_encoder", "config.json"), spec.text.transformers_config())
    timings["text_encoder"] = time.time() - t0
    log(f"[{spec.name}] text_encoder in {timings['text_encoder']:.1f}s")

    t0 = time.time()
    unet_path = os.path.join(out_dir, "unet", "model.onnx")
    export_unet(models.unet, unet_path, spec.latent_size, spec.unet.cross_attention_dim,
                external=spec.external_unet)
    write_json(os.path.join(out_dir, "unet", "config.json"), spec.unet.diffusers_config())
    timings["unet"] = time.time() - t0
    log(f"[{spec.name}] unet in {timings['unet']:.1f}s")
    del models.unet  # frees ~3.4 GB for the sd15-shaped preset before the VAE export

    t0 = time.time()
    export_vae(VaeEncoderExport(models.vae), VaeDecoderExport(models.vae), out_dir,
               spec.latent_size, spec.vae.latent_channels)
    vae_cfg = spec.vae.diffusers_config()
    write_json(os.path.join(out_dir, "vae_encoder", "config.json"), vae_cfg)
    write_json(os.path.join(out_dir, "vae_decoder", "config.json"), vae_cfg)
    timings["vae"] = time.time() - t0
    log(f"[{spec.name}] vae in {timings['vae']:.1f}s")

    write_json(os.path.join(out_dir, "scheduler", "scheduler_config.json"), SCHEDULER_CONFIG)
    write_json(os.path.join(out_dir, "model_index.json"), MODEL_INDEX)
    return {"spec": spec, "timings": timings, "files": list_pack_files(out_dir)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=PRESETS, required=True)
    ap.add_argument("--out", help="output folder (default: models/exports/tiny-random or "
                                  "models/generated/sd15-shaped[-shrinkN])")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shrink", type=int, default=1,
                    help="sd15-shaped only: divide every channel width by N (tests the code path)")
    args = ap.parse_args(argv)
    out = args.out
    if out is None:
        name = args.preset if args.shrink == 1 else f"{args.preset}-shrink{args.shrink}"
        base = "packs" if args.preset == "tiny-random" else "generated"
        out = os.path.join(HERE, base, name)
    t0 = time.time()
    res = make_pack(args.preset, out, args.seed, args.shrink)
    total = 0
    for f, n in res["files"].items():
        total += n
        print(f"  {f:40s} {n:>14,d}")
    print(f"wrote {out}: {total:,d} bytes in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
