#!/usr/bin/python3
"""Write a float16 copy of an imported pack (`ptp models import` output): weights and compute in
float16, every model's inputs and outputs still float32 (a Cast after each float input and before
each float output), so the runtimes and the manifest's I/O contract are unchanged. The UNet's
weights go to one external data file (`unet/model.onnx_data`, 4096-aligned); the other models are
small enough to stay inline. The plain UNet is not carried over (`unet.plain` becomes null).

  /usr/bin/python3 models/pack_fp16.py models/generated/packs/sd15-shaped models/generated/packs/sd15-shaped-fp16

`--storage` keeps the compute in float32 and only stores the weights in float16: each large float
initializer becomes a float16 one plus a Cast to float32 under the original name (onnxruntime folds
those casts when the session loads, so step time and memory are the float32 pack's). Half the bytes
on disk and over the wire, for packs that are committed or downloaded (tiny-scenes), on any provider.

  /usr/bin/python3 models/pack_fp16.py --storage models/generated/packs/tiny-scenes models/packs/tiny-scenes

Float16 compute needs a GPU provider with float16 kernels: WebGPU with the `shader-f16` feature
(onnxruntime-web and onnxruntime-node's WebGPU provider) or CUDA. onnxruntime's CPU provider lacks
most float16 kernels, and SwiftShader (software WebGPU) has no `shader-f16`.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FP16_MAX = 65504.0
# Inputs that must stay float32 whatever the model computes in (onnx operator specs).
FLOAT32_INPUTS = {"Resize": (1, 2), "Upsample": (1,)}


def _to_fp16(t: TensorProto) -> None:
    """Converts a FLOAT tensor in place (data already loaded)."""
    a = numpy_helper.to_array(t).astype(np.float32)
    h = np.clip(a, -FP16_MAX, FP16_MAX).astype(np.float16)
    t.CopyFrom(numpy_helper.from_array(h, t.name))


def _convert_graph(g: onnx.GraphProto, top: bool) -> int:
    """Float16 everywhere in `g` (and its subgraphs); returns the number of tensors converted."""
    n = 0
    for t in g.initializer:
        if t.data_type == TensorProto.FLOAT:
            _to_fp16(t)
            n += 1
    for node in g.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == TensorProto.FLOAT:
                _to_fp16(a.t)  # Constant.value, ConstantOfShape.value
                n += 1
            elif node.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
            elif a.type == onnx.AttributeProto.GRAPH:
                n += _convert_graph(a.g, top=False)
            elif a.type == onnx.AttributeProto.GRAPHS:
                for sub in a.graphs:
                    n += _convert_graph(sub, top=False)
        if node.op_type == "Constant" and any(a.name in ("value_float", "value_floats") for a in node.attribute):
            raise SystemExit(f"Constant {node.name} uses value_float(s): not handled")
    del g.value_info[:]  # re-inferred by onnxruntime; stale float32 entries would contradict the graph
    if not top:  # a subgraph's declared outputs (If branches) follow its compute
        for v in list(g.input) + list(g.output):
            if v.type.tensor_type.elem_type == TensorProto.FLOAT:
                v.type.tensor_type.elem_type = TensorProto.FLOAT16
    return n


def _rename_uses(g: onnx.GraphProto, old: str, new: str) -> None:
    for node in g.node:
        for i, name in enumerate(node.input):
            if name == old:
                node.input[i] = new
        for a in node.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                _rename_uses(a.g, old, new)
            elif a.type == onnx.AttributeProto.GRAPHS:
                for sub in a.graphs:
                    _rename_uses(sub, old, new)


def convert_model(m: onnx.ModelProto) -> int:
    g = m.graph
    n = _convert_graph(g, top=True)
    casts_in = []
    for v in g.input:
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            _rename_uses(g, v.name, v.name + "__fp16")
            casts_in.append(helper.make_node("Cast", [v.name], [v.name + "__fp16"], to=TensorProto.FLOAT16,
                                             name=f"ptp_fp16_in_{v.name}"))
    for v in g.output:
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            half = v.name + "__fp16"
            for node in g.node:
                for i, name in enumerate(node.output):
                    if name == v.name:
                        node.output[i] = half
            _rename_uses(g, v.name, half)
            g.node.append(helper.make_node("Cast", [half], [v.name], to=TensorProto.FLOAT, name=f"ptp_fp16_out_{v.name}"))
    # Resize scales / roi stay float32 (a Cast back in front of them).
    fixes = []
    for node in g.node:
        for i in FLOAT32_INPUTS.get(node.op_type, ()):
            if i < len(node.input) and node.input[i]:
                src = node.input[i]
                node.input[i] = f"{src}__f32_{node.name or id(node)}_{i}"
                fixes.append(helper.make_node("Cast", [src], [node.input[i]], to=TensorProto.FLOAT,
                                              name=f"ptp_fp32_{node.input[i]}"))
    nodes = casts_in + list(g.node)
    # each float32 fix goes right before its consumer
    out = []
    pending = {f.output[0]: f for f in fixes}
    for node in nodes:
        for name in node.input:
            if name in pending:
                out.append(pending.pop(name))
        out.append(node)
    del g.node[:]
    g.node.extend(out)
    return n


def store_weights_fp16(m: onnx.ModelProto, min_elements: int = 256) -> int:
    """Top-level float initializers of at least `min_elements` -> float16 + Cast(to float32)."""
    g = m.graph
    casts = []
    n = 0
    for t in g.initializer:
        if t.data_type != TensorProto.FLOAT or int(np.prod(t.dims)) < min_elements:
            continue
        name = t.name
        _to_fp16(t)
        t.name = name + "__fp16"
        casts.append(helper.make_node("Cast", [t.name], [name], to=TensorProto.FLOAT, name=f"ptp_f32_{name}"))
        n += 1
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    return n


def convert_file(src: str, dst: str, external: bool, storage: bool = False) -> dict:
    t0 = time.time()
    m = onnx.load(src)  # loads external data from next to src
    n = store_weights_fp16(m) if storage else convert_model(m)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    data_name = os.path.basename(dst) + "_data"
    if external:
        onnx.save_model(m, dst, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data_name, size_threshold=1024)
    else:
        onnx.save_model(m, dst)
    del m
    onnx.checker.check_model(dst, full_check=True)  # type inference over the whole graph
    files = [dst] + ([os.path.join(os.path.dirname(dst), data_name)] if external else [])
    return {"tensors": n, "bytes": sum(os.path.getsize(f) for f in files), "seconds": time.time() - t0}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pack", help="an imported pack (has ptp-manifest.json)")
    ap.add_argument("out")
    ap.add_argument("--storage", action="store_true", help="float16 weights on disk only; float32 compute")
    args = ap.parse_args(argv)
    with open(os.path.join(args.pack, "ptp-manifest.json")) as f:
        manifest = json.load(f)
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    models = set(v for k, v in manifest["components"].items() if v.endswith(".onnx"))
    skip = set(manifest["unet"]["externalData"]) | ({manifest["unet"]["plain"]} if manifest["unet"]["plain"] else set())
    for dirpath, _, files in os.walk(args.pack):
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), args.pack)
            if rel in models or rel in skip or rel == "ptp-manifest.json":
                continue
            os.makedirs(os.path.join(args.out, os.path.dirname(rel)), exist_ok=True)
            shutil.copyfile(os.path.join(dirpath, f), os.path.join(args.out, rel))
    total = 0
    for rel in sorted(models):
        unet = rel == manifest["unet"]["model"]
        r = convert_file(os.path.join(args.pack, rel), os.path.join(args.out, rel), external=unet and not args.storage,
                         storage=args.storage)
        total += r["bytes"]
        print(f"  {rel:28s} {r['tensors']:5d} tensors -> float16, {r['bytes']:>14,d} bytes, {r['seconds']:.0f}s", flush=True)
    if args.storage:  # same I/O, same compute: only the bytes on disk change
        manifest["name"] = os.path.basename(os.path.normpath(args.out))
        with open(os.path.join(args.out, "ptp-manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
        print(f"wrote {args.out}: {total:,d} bytes of models (float16 storage, float32 compute)")
        return
    manifest["unet"]["plain"] = None
    manifest["unet"]["plainNote"] = "float16 copy (models/pack_fp16.py): the plain UNet is not carried over"
    manifest["unet"]["externalData"] = [manifest["unet"]["model"] + "_data"]
    manifest["name"] = os.path.basename(os.path.normpath(args.out))
    with open(os.path.join(args.out, "ptp-manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"wrote {args.out}: {total:,d} bytes of models")


if __name__ == "__main__":
    main()
