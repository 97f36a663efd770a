#!/usr/bin/python3
"""Self-check of a pack or fixture folder without PyTorch (onnx package only), and optionally
torch reference outputs ("goldens") for models/ort_compare.mjs to compare onnxruntime against.

  /usr/bin/python3 models/check_pack.py models/exports/tiny-random
  /usr/bin/python3 models/check_pack.py models/fixtures
  /usr/bin/python3 models/check_pack.py models/exports/tiny-random \
      --torch tiny-random --seed 0 --golden /tmp/golden-tiny        # then: node models/ort_compare.mjs /tmp/golden-tiny

For every `*.onnx` below DIR: onnx.checker (full check, with external data by path), input and
output names/types/shapes, opsets, size, external-data files (must stay inside the folder), and
the attention Softmax nodes with the op pattern around them.
"""
from __future__ import annotations

import argparse
import collections
import os
import sys

import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _shape(vi) -> str:
    t = vi.type.tensor_type
    dims = [d.dim_param or str(d.dim_value) for d in t.shape.dim]
    return f"{onnx.TensorProto.DataType.Name(t.elem_type).lower()}[{', '.join(dims)}]"


def _producer(graph):
    return {o: n for n in graph.node for o in n.output}


def attention_pattern(graph, softmax) -> str:
    """Walk from a Softmax to the MatMul feeding it (through an optional Mul), then describe
    both MatMul operands: the op that made each, and what the Softmax output feeds."""
    prod = _producer(graph)
    consumers = collections.defaultdict(list)
    for n in graph.node:
        for i in n.input:
            consumers[i].append(n)
    chain = []
    x = prod.get(softmax.input[0])
    for op, label in (("Add", "Add(mask)"), ("Mul", "Mul(scale)")):
        if x is not None and x.op_type == op:
            chain.insert(0, label)
            x = next((prod[i] for i in x.input if i in prod and prod[i].op_type == "MatMul"), None)
    if x is None or x.op_type != "MatMul":
        return "unrecognised"
    operands = []
    for i in x.input:
        p = prod.get(i)
        operands.append(p.op_type if p is not None else i)
    after = "+".join(c.op_type for c in consumers[softmax.output[0]])
    return f"MatMul({operands[0]}, {operands[1]}) -> {' -> '.join(chain + ['Softmax'])} -> {after}"


def check_model(path: str) -> dict:
    model = onnx.load(path, load_external_data=False)
    base = os.path.dirname(os.path.abspath(path))
    ext = set()
    for t in model.graph.initializer:
        if t.data_location == onnx.TensorProto.EXTERNAL:
            loc = {e.key: e.value for e in t.external_data}["location"]
            full = os.path.realpath(os.path.join(base, loc))
            if not full.startswith(os.path.realpath(base) + os.sep):
                raise SystemExit(f"{path}: external data {loc!r} leaves the folder")
            ext.add(loc)
    # Path-based check (finds external data) WITHOUT full_check: onnx 1.12's full_check on a
    # path runs infer_shapes_path, which rewrites the model file in place. Shapes are inferred
    # in memory instead (strict; skipped for contrib-op graphs, whose schemas onnx lacks).
    onnx.checker.check_model(path)
    if not _has_contrib(model):
        onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    g = model.graph
    softmax = [n for n in g.node if n.op_type == "Softmax"]
    fused = [n for n in g.node if n.domain == "com.microsoft"]
    return {
        "opsets": {o.domain or "ai.onnx": o.version for o in model.opset_import},
        "inputs": {i.name: _shape(i) for i in g.input},
        "outputs": {o.name: _shape(o) for o in g.output},
        "nodes": len(g.node),
        "initializers": len(g.initializer),
        "params": sum(_numel(t) for t in g.initializer),
        "external_data": sorted(ext),
        "softmax": [(n.name, attention_pattern(g, n)) for n in softmax],
        "fused_attention": [(n.name, f"{n.domain}.{n.op_type}") for n in fused],
    }


def _has_contrib(model) -> bool:
    return any(o.domain == "com.microsoft" for o in model.opset_import)


def _numel(t) -> int:
    n = 1
    for d in t.dims:
        n *= d
    return n


def report(root: str, verbose: bool) -> None:
    total = 0
    for dirpath, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            total += os.path.getsize(os.path.join(dirpath, f))
            if not f.endswith(".onnx"):
                continue
            path = os.path.join(dirpath, f)
            r = check_model(path)
            rel = os.path.relpath(path, root)
            print(f"{rel}: OK  opsets {r['opsets']}  {r['nodes']} nodes  {r['params']:,d} params"
                  + (f"  external: {r['external_data']}" if r["external_data"] else ""))
            for k, v in r["inputs"].items():
                print(f"    in  {k:24s} {v}")
            for k, v in r["outputs"].items():
                print(f"    out {k:24s} {v}")
            if r["fused_attention"]:
                print(f"    FUSED attention nodes ({len(r['fused_attention'])}):")
                for name, op in r["fused_attention"]:
                    print(f"      {op:32s} {name}")
            if r["softmax"]:
                pats = collections.Counter(p for _, p in r["softmax"])
                print(f"    softmax nodes: {len(r['softmax'])}; patterns: {dict(pats)}")
                for name, _ in r["softmax"] if verbose else r["softmax"][:2]:
                    print(f"      {name}")
    print(f"total size of {root}: {total:,d} bytes")


# ---------------------------------------------------------------------------------------------
# Torch goldens (the only part that needs torch).


def write_goldens(pack: str, preset: str, seed: int, shrink: int, out: str) -> None:
    import torch

    from ptp_models.golden import GoldenWriter
    from ptp_models.presets import build_models, get_spec
    from ptp_models.tokenizer_vocab import ClipBpe, read_tokenizer
    from ptp_models.vae import VaeDecoderExport, VaeEncoderExport

    spec = get_spec(preset, shrink)
    m = build_models(spec, seed)
    gw = GoldenWriter(out, pack)

    tok = ClipBpe(*read_tokenizer(os.path.join(pack, "tokenizer")))
    prompts = ["a red circle on a white background", "", "a photo of a cat, riding a bicycle!"]
    ids = torch.tensor([tok(p) for p in prompts], dtype=torch.int64)
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        last, pooled = m.text(ids)
        gw.case("text_encoder/model.onnx", {"input_ids": ids},
                {"last_hidden_state": last, "pooler_output": pooled}, 1e-4)
        ctx = last[:2]
        f = 2 ** (len(spec.unet.block_out_channels) - 1)  # H, W must be multiples of this
        for (h, w, t) in [(spec.latent_size, spec.latent_size, 981.0), (3 * f, 4 * f, 1.0)]:
            sample = torch.randn(2, 4, h, w, generator=gen)
            ts = torch.tensor(t)
            gw.case("unet/model.onnx", {"sample": sample, "timestep": ts, "encoder_hidden_states": ctx},
                    {"out_sample": m.unet(sample, ts, ctx)}, 1e-3)
        enc, dec = VaeEncoderExport(m.vae), VaeDecoderExport(m.vae)
        img = torch.rand(1, 3, 8 * spec.latent_size, 8 * spec.latent_size + 32, generator=gen) * 2 - 1
        gw.case("vae_encoder/model.onnx", {"sample": img}, {"latent_sample": enc(img)}, 1e-3)
        z = torch.randn(2, 4, spec.latent_size, spec.latent_size, generator=gen) / spec.vae.scaling_factor
        gw.case("vae_decoder/model.onnx", {"latent_sample": z}, {"sample": dec(z)}, 1e-3)
    gw.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every softmax node")
    ap.add_argument("--torch", metavar="PRESET", help="also rebuild PRESET in torch (needs --golden)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shrink", type=int, default=1)
    ap.add_argument("--golden", metavar="OUT", help="write torch inputs/outputs for ort_compare.mjs")
    a = ap.parse_args()
    report(a.dir, a.verbose)
    if a.torch:
        if not a.golden:
            ap.error("--torch needs --golden OUT")
        write_goldens(a.dir, a.torch, a.seed, a.shrink, a.golden)


if __name__ == "__main__":
    main()
