"""Weights as float16 `.npz` shards of at most a few MiB each.

The GPU machine hands back files of at most 16 MiB, so a 16M-parameter model (33 MB in float16)
travels as several shards. numpy's npz (uncompressed) is read by any torch/numpy version, unlike a
pickle. Keys are "<network>/<state_dict key>"; float tensors are stored as float16 and read back
as float32 (the quantisation error is far below training noise).
"""
from __future__ import annotations

import os
from typing import Dict, List

import numpy as np
import torch

SHARD_MIB = 15.0


def save_shards(out_dir: str, modules: Dict[str, torch.nn.Module], prefix: str = "weights",
                max_mib: float = SHARD_MIB) -> List[str]:
    """Writes <prefix>-NN.npz (each at most max_mib MiB) and removes stale shards of an earlier,
    larger save; returns the file names. Each file is written under a temporary name first."""
    arrays = {}
    for name, m in modules.items():
        for k, v in m.state_dict().items():
            a = v.detach().float().cpu().numpy().astype(np.float16) if v.is_floating_point() else v.detach().cpu().numpy()
            arrays[f"{name}/{k}"] = a
    limit = int(max_mib * 2 ** 20) - 4096
    member = 512  # zip local + central header, npy header and the name, per array (measured < 400)
    groups: List[Dict[str, np.ndarray]] = [{}]
    size = 0
    for k, a in arrays.items():
        if a.nbytes > limit:
            raise ValueError(f"{k} alone ({a.nbytes} bytes) exceeds a {max_mib} MiB shard")
        if size + a.nbytes + member > limit and groups[-1]:
            groups.append({})
            size = 0
        groups[-1][k] = a
        size += a.nbytes + member
    names = []
    for i, g in enumerate(groups):
        name = f"{prefix}-{i:02d}.npz"
        tmp = os.path.join(out_dir, f".{name}.tmp.npz")
        np.savez(tmp, **g)
        os.replace(tmp, os.path.join(out_dir, name))
        assert os.path.getsize(os.path.join(out_dir, name)) <= max_mib * 2 ** 20, name
        names.append(name)
    for f in os.listdir(out_dir):
        if f.startswith(prefix + "-") and f.endswith(".npz") and f not in names:
            os.remove(os.path.join(out_dir, f))
    return names


def read_shards(train_dir: str, names: List[str]) -> Dict[str, np.ndarray]:
    out: Dict[str, np.ndarray] = {}
    for n in names:
        with np.load(os.path.join(train_dir, n)) as z:
            for k in z.files:
                out[k] = z[k]
    return out


def load_module(module: torch.nn.Module, arrays: Dict[str, np.ndarray], name: str) -> torch.nn.Module:
    state = {k[len(name) + 1:]: torch.from_numpy(a.astype(np.float32) if a.dtype == np.float16 else a)
             for k, a in arrays.items() if k.startswith(name + "/")}
    module.load_state_dict(state, strict=True)
    return module
