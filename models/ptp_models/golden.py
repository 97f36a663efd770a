"""Torch reference inputs/outputs ("goldens") in the format models/ort_compare.mjs reads:
golden.json {pack, cases: [{model, inputs, outputs, tolerance}]} plus one raw little-endian
.bin file per tensor."""
from __future__ import annotations

import json
import os
from typing import Dict

import torch


class GoldenWriter:
    def __init__(self, out_dir: str, pack: str):
        self.out_dir, self.pack, self.cases = out_dir, os.path.abspath(pack), []
        os.makedirs(out_dir, exist_ok=True)

    def _save(self, name: str, t: torch.Tensor) -> dict:
        arr = t.detach().contiguous().numpy()
        arr.tofile(os.path.join(self.out_dir, name + ".bin"))
        return {"file": name + ".bin", "dtype": str(arr.dtype), "dims": list(arr.shape)}

    def case(self, model: str, inputs: Dict[str, torch.Tensor], outputs: Dict[str, torch.Tensor],
             tolerance: float) -> None:
        i = len(self.cases)
        self.cases.append({
            "model": model,
            "inputs": {k: self._save(f"{i}_{k}", v) for k, v in inputs.items()},
            "outputs": {k: self._save(f"{i}_out_{k}", v) for k, v in outputs.items()},
            "tolerance": tolerance,
        })

    def close(self) -> None:
        with open(os.path.join(self.out_dir, "golden.json"), "w") as f:
            json.dump({"pack": self.pack, "cases": self.cases}, f, indent=1)
        print(f"wrote {len(self.cases)} golden cases to {self.out_dir}")
