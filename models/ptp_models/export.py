"""ONNX export (torch 1.13, opset 14) in the diffusers/optimum pack layout.

I/O contract (names as optimum's SD exports and the toy reference pack):
  text_encoder/model.onnx  input_ids int64 [B, L]            -> last_hidden_state f32 [B, L, D],
                                                                pooler_output f32 [B, D]
  unet/model.onnx          sample f32 [B, 4, H, W], timestep f32 scalar (rank 0),
                           encoder_hidden_states f32 [B, L, D] -> out_sample f32 [B, 4, H, W]
  vae_encoder/model.onnx   sample f32 [B, 3, 8H, 8W] in [-1,1] -> latent_sample f32 [B, 4, H, W]
                                                                (posterior mean, unscaled)
  vae_decoder/model.onnx   latent_sample f32 [B, 4, H, W]      -> sample f32 [B, 3, 8H, 8W]
Dynamic axes are named batch_size, sequence_length, height, width (as the toy pack).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import Dict, List

import inspect

import torch

OPSET = 14
DATA_ALIGN = 4096  # offsets of external tensors (page-aligned, as onnx>=1.15 does; mmap friendly)


def write_json(path: str, obj) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def _torch_onnx_export(*args, **kwargs) -> None:
    """torch.onnx.export with the TorchScript exporter: torch >= 2.9 defaults to the dynamo one,
    which names nodes differently (no `/down_blocks.0/.../attn1/` scopes) and needs onnxscript."""
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    torch.onnx.export(*args, **kwargs)


def _export(module: torch.nn.Module, args, path: str, input_names: List[str],
            output_names: List[str], dynamic_axes: Dict[str, Dict[int, str]],
            external: bool = False) -> None:
    """torch.onnx.export; with `external`, tensors go to a single `model.onnx_data` beside it."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        if not external:
            _torch_onnx_export(module, args, path, opset_version=OPSET, input_names=input_names,
                               output_names=output_names, dynamic_axes=dynamic_axes,
                               do_constant_folding=True)
            return
        # torch writes one file per tensor when the model exceeds 2 GB (and none below): export
        # into a scratch folder, then gather whatever it wrote into one data file.
        tmp = tempfile.mkdtemp(prefix=".export-", dir=os.path.dirname(path))
        try:
            tmp_model = os.path.join(tmp, "model.onnx")
            _torch_onnx_export(module, args, tmp_model, opset_version=OPSET,
                               input_names=input_names, output_names=output_names,
                               dynamic_axes=dynamic_axes, do_constant_folding=True)
            try:
                import onnx  # noqa: F401  (only the single-data-file rewrite needs it)
            except ImportError:
                # A machine without the onnx package (e.g. a GPU box with torch alone): keep
                # torch's one file per tensor; the pack importer accepts any number of data files.
                _move_all(tmp, os.path.dirname(path))
                return
            save_with_external_data(tmp_model, path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _move_all(src_dir: str, dst_dir: str) -> None:
    for name in os.listdir(src_dir):
        shutil.move(os.path.join(src_dir, name), os.path.join(dst_dir, name))


def _ext_info(t) -> Dict[str, str]:
    return {e.key: e.value for e in t.external_data}


def save_with_external_data(src: str, dst: str, data_name: str = "model.onnx_data",
                            size_threshold: int = 1024) -> None:
    """Rewrite the ONNX file `src` (inline tensors, per-tensor external files or both) as `dst`
    plus ONE data file `data_name` beside it, like optimum. Tensors are streamed one at a time,
    so a 3.4 GB UNet never sits in memory twice. Tensors under `size_threshold` bytes stay
    inline (as onnx's convert_model_to_external_data does)."""
    import onnx
    from onnx import TensorProto
    model = onnx.load(src, load_external_data=False)
    src_dir = os.path.dirname(os.path.abspath(src))
    dst_dir = os.path.dirname(os.path.abspath(dst))
    data_path = os.path.join(dst_dir, data_name)
    tensors = list(model.graph.initializer)
    for node in model.graph.node:  # large Constant nodes would also exceed 2 GB: none expected
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR and len(a.t.raw_data) > (1 << 28):
                raise ValueError(f"large constant in node {node.name}")
    with open(data_path, "wb") as out:
        for t in tensors:
            if t.data_location == TensorProto.EXTERNAL:
                info = _ext_info(t)
                with open(os.path.join(src_dir, info["location"]), "rb") as f:
                    f.seek(int(info.get("offset", 0)))
                    n = int(info["length"]) if "length" in info else -1
                    raw = f.read(n)
            else:
                if not t.HasField("raw_data"):
                    continue  # typed fields (rare in torch exports): leave inline
                raw = t.raw_data
                if len(raw) < size_threshold:
                    continue
            pos = out.tell()
            pad = (-pos) % DATA_ALIGN
            out.write(b"\0" * pad)
            offset = pos + pad
            out.write(raw)
            t.ClearField("raw_data")
            del t.external_data[:]
            t.data_location = TensorProto.EXTERNAL
            for k, v in (("location", data_name), ("offset", str(offset)), ("length", str(len(raw)))):
                e = t.external_data.add()
                e.key, e.value = k, v
    with open(dst, "wb") as f:
        f.write(model.SerializeToString())


# ---------------------------------------------------------------------------------------------


def export_text_encoder(text: torch.nn.Module, out_dir: str, vocab_size: int) -> str:
    path = os.path.join(out_dir, "text_encoder", "model.onnx")
    ids = torch.full((1, 77), vocab_size - 1, dtype=torch.int64)
    ids[0, 0] = vocab_size - 2
    ids[0, 1:4] = torch.tensor([1, 2, 3])
    _export(text, (ids,), path, ["input_ids"], ["last_hidden_state", "pooler_output"],
            {"input_ids": {0: "batch_size", 1: "sequence_length"},
             "last_hidden_state": {0: "batch_size", 1: "sequence_length"},
             "pooler_output": {0: "batch_size"}})
    return path


def export_unet(unet: torch.nn.Module, path: str, latent_size: int, context_dim: int,
                external: bool = False) -> str:
    n = latent_size
    args = (torch.randn(2, 4, n, n), torch.tensor(500.0), torch.randn(2, 77, context_dim))
    _export(unet, args, path, ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
            {"sample": {0: "batch_size", 2: "height", 3: "width"},
             "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
             "out_sample": {0: "batch_size", 2: "height", 3: "width"}},
            external=external)
    return path


def export_vae(enc: torch.nn.Module, dec: torch.nn.Module, out_dir: str, latent_size: int,
               latent_channels: int = 4, factor: int = 8) -> List[str]:
    n = latent_size
    enc_path = os.path.join(out_dir, "vae_encoder", "model.onnx")
    dec_path = os.path.join(out_dir, "vae_decoder", "model.onnx")
    _export(enc, (torch.zeros(1, 3, factor * n, factor * n),), enc_path, ["sample"], ["latent_sample"],
            {"sample": {0: "batch_size", 2: "height", 3: "width"},
             "latent_sample": {0: "batch_size", 2: "height", 3: "width"}})
    _export(dec, (torch.zeros(1, latent_channels, n, n),), dec_path, ["latent_sample"], ["sample"],
            {"latent_sample": {0: "batch_size", 2: "height", 3: "width"},
             "sample": {0: "batch_size", 2: "height", 3: "width"}})
    return [enc_path, dec_path]


SCHEDULER_CONFIG = {  # diffusers PNDMScheduler as shipped with SD 1.x (same as the toy pack)
    "_class_name": "PNDMScheduler",
    "num_train_timesteps": 1000,
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "steps_offset": 1,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "prediction_type": "epsilon",
    "timestep_spacing": "leading",
}

MODEL_INDEX = {
    "_class_name": "StableDiffusionPipeline",
    "text_encoder": ["transformers", "CLIPTextModel"],
    "unet": ["diffusers", "UNet2DConditionModel"],
    "vae": ["diffusers", "AutoencoderKL"],
    "tokenizer": ["transformers", "CLIPTokenizer"],
    "scheduler": ["diffusers", "PNDMScheduler"],
}


def list_pack_files(out_dir: str) -> Dict[str, int]:
    sizes = {}
    for root, _, files in os.walk(out_dir):
        for f in sorted(files):
            p = os.path.join(root, f)
            sizes[os.path.relpath(p, out_dir)] = os.path.getsize(p)
    return dict(sorted(sizes.items()))
