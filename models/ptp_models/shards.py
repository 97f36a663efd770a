"""Weights as float16 shards of at most 15 MiB each.

The GPU machine hands back files of at most 16 MiB, so a 16M-parameter model (33 MB in float16)
travels as several shards. Format: numpy's `.npz` (uncompressed, no pickle, read by any
torch/numpy version). Where numpy is missing (a bare torch install) `torch.save` `.pt` shards are
written instead; both read back the same way. Keys are "<network>/<state_dict key>"; float
tensors are stored as float16 and read back as float32 (the error is far below training noise).
"""
from __future__ import annotations

import os
from typing import Dict, List

import torch

try:
    import numpy as np
except ImportError:  # pragma: no cover - only on a bare torch install
    np = None

SHARD_MIB = 15.0
MEMBER_BYTES = 512  # per array: zip local + central header, npy header, name (measured < 400)


def _state(modules: Dict[str, torch.nn.Module]) -> Dict[str, torch.Tensor]:
    out = {}
    for name, m in modules.items():
        for k, v in m.state_dict().items():
            v = v.detach().cpu()
            out[f"{name}/{k}"] = v.half() if v.is_floating_point() else v
    return out


def save_shards(out_dir: str, modules: Dict[str, torch.nn.Module], prefix: str = "weights",
                max_mib: float = SHARD_MIB) -> List[str]:
    """Writes <prefix>-NN.npz (or .pt), each at most max_mib MiB, under a temporary name first, and
    removes stale shards of an earlier save; returns the file names."""
    tensors = _state(modules)
    ext = ".npz" if np is not None else ".pt"
    limit = int(max_mib * 2 ** 20) - 4096
    groups: List[Dict[str, torch.Tensor]] = [{}]
    size = 0
    for k, t in tensors.items():
        nbytes = t.numel() * t.element_size() + MEMBER_BYTES
        if nbytes > limit:
            raise ValueError(f"{k} alone ({nbytes} bytes) exceeds a {max_mib} MiB shard")
        if size + nbytes > limit and groups[-1]:
            groups.append({})
            size = 0
        groups[-1][k] = t
        size += nbytes
    names = []
    for i, g in enumerate(groups):
        name = f"{prefix}-{i:02d}{ext}"
        tmp = os.path.join(out_dir, f".{name}.tmp{ext}")
        if np is not None:
            np.savez(tmp, **{k: t.numpy() for k, t in g.items()})
        else:
            torch.save({k: t.clone() for k, t in g.items()}, tmp)
        final = os.path.join(out_dir, name)
        os.replace(tmp, final)
        if os.path.getsize(final) > max_mib * 2 ** 20:
            raise RuntimeError(f"{final} exceeds {max_mib} MiB")
        names.append(name)
    for f in os.listdir(out_dir):
        if f.startswith(prefix + "-") and f.endswith((".npz", ".pt")) and f not in names:
            os.remove(os.path.join(out_dir, f))
    return names


def read_shards(train_dir: str, names: List[str]) -> Dict[str, torch.Tensor]:
    """All shards' tensors, float16 widened to float32."""
    out: Dict[str, torch.Tensor] = {}
    for n in names:
        path = os.path.join(train_dir, n)
        if n.endswith(".pt"):
            out.update(torch.load(path, map_location="cpu"))
        else:
            with np.load(path) as z:
                for k in z.files:
                    out[k] = torch.from_numpy(z[k].copy())
    return {k: t.float() if t.dtype == torch.float16 else t for k, t in out.items()}


def load_module(module: torch.nn.Module, tensors: Dict[str, torch.Tensor], name: str) -> torch.nn.Module:
    state = {k[len(name) + 1:]: t for k, t in tensors.items() if k.startswith(name + "/")}
    module.load_state_dict(state, strict=True)
    return module
