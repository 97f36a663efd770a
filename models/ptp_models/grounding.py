"""Token grounding loss for tiny-scenes (after TokenCompose, Wang et al. 2024): the renderer knows
every object's exact mask, so the cross-attention of an object's colour and shape words can be
taught to fall on that object. Without it the trained model's word maps are nearly flat at 16x16
(issue 13 wants them to mean something: the attention viewer, local blend and the study read them).

Two terms per cross-attention layer whose grid is at least `min_grid` cells a side:
- token: (1 - share of the words' attention mass inside the mask)^2;
- pixel: binary cross-entropy between the words' map scaled to its max and the mask.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, List

import torch
import torch.nn.functional as F

from .attention import CrossAttention


@contextmanager
def capture_cross_attention(unet: torch.nn.Module) -> Iterator[List[torch.Tensor]]:
    """Head-averaged probabilities [B, Q, T] of every cross-attention layer (attn2), in call order."""
    layers = [m for name, m in unet.named_modules() if isinstance(m, CrossAttention) and name.endswith("attn2")]
    out: List[torch.Tensor] = []
    for m in layers:
        m.capture = out
    try:
        yield out
    finally:
        for m in layers:
            m.capture = None


def object_word_weights(ids: torch.Tensor, colour_ids: torch.Tensor, shape_ids: torch.Tensor, k: int) -> torch.Tensor:
    """[B, K, T] 1 on object k's colour and shape tokens. Captions list the objects in slot order
    (active slots first), one colour and one shape word each, so the k-th colour word and the k-th
    shape word are object k's. A dropped (empty) caption has none: its rows are zero."""
    out = []
    for table in (colour_ids, shape_ids):
        hit = torch.isin(ids, table)
        nth = hit.long().cumsum(1) - 1  # occurrence index at each hit
        out.append(hit[:, None, :] & (nth[:, None, :] == torch.arange(k, device=ids.device)[None, :, None]))
    return (out[0] | out[1]).float()


def grounding_loss(maps: List[torch.Tensor], masks: torch.Tensor, weights: torch.Tensor, min_grid: int = 4,
                   pixel: float = 1.0) -> torch.Tensor:
    """maps: [B, Q, T] per layer; masks: [B, K, H, W] bool; weights: [B, K, T]. Mean over layers
    with a grid of at least min_grid and over (item, object) pairs that have words."""
    valid = (weights.sum(-1) > 0) & masks.flatten(2).any(-1)
    if not bool(valid.any()):
        return maps[0].sum() * 0.0
    terms = []
    for a in maps:
        side = int(round(a.shape[1] ** 0.5))
        if side < min_grid:
            continue
        a = a.float()
        obj = torch.einsum("bqt,bkt->bkq", a, weights)  # [B, K, Q]
        m = F.adaptive_avg_pool2d(masks.float(), side).flatten(2)  # share of each cell inside the object
        inside = (obj * m).sum(-1) / obj.sum(-1).clamp_min(1e-8)
        token = (1 - inside) ** 2
        scaled = (obj / obj.amax(-1, keepdim=True).clamp_min(1e-8)).clamp(1e-6, 1 - 1e-6)
        pix = F.binary_cross_entropy(scaled, (m > 0.5).float(), reduction="none").mean(-1)
        terms.append(((token + pixel * pix) * valid).sum() / valid.sum())
    return torch.stack(terms).mean()
