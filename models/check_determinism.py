#!/usr/bin/python3
"""Torch-side determinism check: same seed -> same weights, same outputs, byte-identical files.

  /usr/bin/python3 models/check_determinism.py                       # tiny-random, seed 0, vs models/exports/tiny-random
  /usr/bin/python3 models/check_determinism.py --fixtures            # also regenerate models/fixtures and compare
  /usr/bin/python3 models/check_determinism.py --preset sd15-shaped --shrink 8 --against none

Steps: build the preset twice in this process and compare every parameter bit for bit and a
UNet forward pass; write the pack twice into temporary folders and compare file hashes; compare
those with the committed pack (--against, default the committed tiny-random) and, with
--fixtures, regenerate the fixtures and compare them with models/fixtures. Exit 1 on mismatch.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import make_fixtures  # noqa: E402
from make_pack import make_pack  # noqa: E402
from ptp_models.presets import build_models, get_spec  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def hashes(root: str) -> dict:
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def compare(label: str, a: dict, b: dict) -> bool:
    diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    print(f"{'ok  ' if not diff else 'FAIL'} {label}" + (f": differ {diff}" if diff else f" ({len(a)} files)"))
    return not diff


@torch.no_grad()
def torch_side(preset: str, seed: int, shrink: int) -> bool:
    spec = get_spec(preset, shrink)
    a, b = build_models(spec, seed), build_models(spec, seed)
    ok = True
    for name in ("text", "unet", "vae"):
        sa, sb = getattr(a, name).state_dict(), getattr(b, name).state_dict()
        bad = [k for k in sa if not torch.equal(sa[k], sb[k])]
        ok &= not bad
        print(f"{'ok  ' if not bad else 'FAIL'} {name}: {len(sa)} tensors bit-identical" + (f" except {bad[:5]}" if bad else ""))
    gen = torch.Generator().manual_seed(99)
    n = spec.latent_size
    x = torch.randn(2, 4, n, n, generator=gen)
    ctx = torch.randn(2, 77, spec.unet.cross_attention_dim, generator=gen)
    same = torch.equal(a.unet(x, torch.tensor(10.0), ctx), b.unet(x, torch.tensor(10.0), ctx))
    print(f"{'ok  ' if same else 'FAIL'} unet forward bit-identical")
    c = build_models(spec, seed + 1)
    differs = not torch.equal(a.unet.conv_in.weight, c.unet.conv_in.weight) or not torch.equal(
        a.text.text_model.embeddings.token_embedding.weight, c.text.text_model.embeddings.token_embedding.weight)
    print(f"{'ok  ' if differs else 'FAIL'} seed {seed + 1} gives different weights")
    return ok and same and differs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="tiny-random")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shrink", type=int, default=1)
    ap.add_argument("--against", default=os.path.join(HERE, "packs", "tiny-random"),
                    help="committed pack to compare with, or 'none'")
    ap.add_argument("--fixtures", action="store_true", help="also regenerate and compare models/fixtures")
    a = ap.parse_args()
    ok = torch_side(a.preset, a.seed, a.shrink)
    quiet = lambda *_: None  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        p1, p2 = os.path.join(tmp, "1"), os.path.join(tmp, "2")
        make_pack(a.preset, p1, a.seed, a.shrink, log=quiet)
        make_pack(a.preset, p2, a.seed, a.shrink, log=quiet)
        h1 = hashes(p1)
        ok &= compare("two exports in one process are byte-identical", h1, hashes(p2))
        if a.against != "none":
            ok &= compare(f"export equals {os.path.relpath(a.against)}", h1, hashes(a.against))
        if a.fixtures:
            fx = os.path.join(tmp, "fixtures")
            make_fixtures.main(["--out", fx, "--seed", "0"])
            ok &= compare("regenerated fixtures equal models/fixtures", hashes(fx),
                          hashes(os.path.join(HERE, "fixtures")))
    print("determinism: OK" if ok else "determinism: FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
