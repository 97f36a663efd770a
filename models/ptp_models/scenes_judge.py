"""A Python port of the tiny-scenes judge (packages/nodes/src/metrics/scenesJudge.ts), for the
training log: the GPU machine has no Node, and a run should report what it learned. The
TypeScript judge (`pnpm ptp quality --pack tiny-scenes`) stays the reference; same steps and
thresholds (see there for the reasons)."""
from __future__ import annotations

from typing import Dict, List

import numpy as np
import torch

from .scenes_world import BACKGROUNDS, COLOURS, IMAGE_SIZE, SHAPES, background_image

FOREGROUND_THRESHOLD = 0.3
MIN_OBJECT_PIXELS = 24
CIRCLE_FILL = (0.64, 0.83)
TRIANGLE_CENTROID = 0.58
_PALETTE = np.array(list(COLOURS.values()), dtype=np.float64)


def _templates(size: int) -> np.ndarray:
    """[K, H, W, 3] background templates quantised to 8 bits as rendered pictures are."""
    t = background_image(torch.arange(len(BACKGROUNDS)), size).permute(0, 2, 3, 1).numpy().astype(np.float64)
    return t


def _neighbourhood_distance(img: np.ndarray, tpl: np.ndarray) -> np.ndarray:
    """Per pixel: smallest RGB distance to the template's 3x3 neighbourhood."""
    H, W, _ = img.shape
    pad = np.pad(tpl, ((1, 1), (1, 1), (0, 0)), mode="edge")
    best = np.full((H, W), np.inf)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            best = np.minimum(best, np.linalg.norm(img - pad[dy:dy + H, dx:dx + W], axis=2))
    return best


def _fill_holes(fg: np.ndarray) -> np.ndarray:
    H, W = fg.shape
    outside = np.zeros_like(fg)
    border = np.zeros_like(fg)
    border[0, :] = border[-1, :] = border[:, 0] = border[:, -1] = True
    outside = border & ~fg
    while True:
        grown = outside.copy()
        grown[1:] |= outside[:-1]
        grown[:-1] |= outside[1:]
        grown[:, 1:] |= outside[:, :-1]
        grown[:, :-1] |= outside[:, 1:]
        grown &= ~fg
        if (grown == outside).all():
            return ~outside
        outside = grown


def _components(mask: np.ndarray) -> List[np.ndarray]:
    H, W = mask.shape
    seen = np.zeros_like(mask)
    out = []
    for s in zip(*np.nonzero(mask)):
        if seen[s]:
            continue
        comp, stack = [], [s]
        seen[s] = True
        while stack:
            y, x = stack.pop()
            comp.append((y, x))
            for q in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if 0 <= q[0] < H and 0 <= q[1] < W and mask[q] and not seen[q]:
                    seen[q] = True
                    stack.append(q)
        out.append(np.array(comp))
    return out


def _coverage_fill(img: np.ndarray, comp: np.ndarray, fg: np.ndarray, tpl: np.ndarray) -> float:
    """coverageFill() of the TS judge: interior pixels count 1, edge pixels and the ring outside
    count their alpha between the background template and the palette colour."""
    H, W, _ = img.shape
    inside = np.zeros((H, W), dtype=bool)
    inside[comp[:, 0], comp[:, 1]] = True
    pad = np.pad(inside, 1)
    interior = inside & pad[:-2, 1:-1] & pad[2:, 1:-1] & pad[1:-1, :-2] & pad[1:-1, 2:]
    edge = inside & ~interior
    pe = np.pad(edge, 1)
    ring = np.zeros_like(edge)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            ring |= pe[dy:dy + H, dx:dx + W]
    ring &= ~inside
    d = fg[None, None] - tpl
    dd = np.maximum((d * d).sum(axis=2), 1e-9)
    alpha = np.clip(((img - tpl) * d).sum(axis=2) / dd, 0, 1)
    a = np.where(interior, 1.0, np.where(edge | ring, alpha, 0.0))
    wh = a.max(axis=0).sum() * a.max(axis=1).sum()
    return float(a.sum() / wh) if wh > 0 else 0.0


def judge_image(img: np.ndarray, templates: np.ndarray) -> Dict:
    """img [H, W, 3] in 0..1 -> {background, objects: [{colour, shape, cx, cy, pixels}] left to right}."""
    dists = [_neighbourhood_distance(img, t) for t in templates]
    scores = [np.minimum(d, 0.5).sum() for d in dists]
    k = int(np.argmin(scores))
    fg = _fill_holes(dists[k] > FOREGROUND_THRESHOLD)
    objects = []
    for comp in _components(fg):
        if len(comp) < MIN_OBJECT_PIXELS:
            continue
        ys, xs = comp[:, 0], comp[:, 1]
        med = np.median(img[ys, xs], axis=0)  # numpy's median averages the middle pair; close enough
        ci = int(np.argmin(np.linalg.norm(_PALETTE - med, axis=1)))
        colour = list(COLOURS)[ci]
        h = ys.max() - ys.min() + 1
        fill = _coverage_fill(img, comp, _PALETTE[ci], templates[k])
        centroid = (ys.mean() - ys.min() + 0.5) / h
        shape = ("square" if fill >= CIRCLE_FILL[1] else "circle" if fill >= CIRCLE_FILL[0]
                 else "triangle" if centroid >= TRIANGLE_CENTROID else "diamond")
        objects.append({"colour": colour, "shape": shape, "cx": float(xs.mean()) + 0.5,
                        "cy": float(ys.mean()) + 0.5, "pixels": int(len(comp))})
    objects.sort(key=lambda o: o["cx"])
    return {"background": BACKGROUNDS[k], "objects": objects}


def score(want, got) -> Dict[str, float]:
    """want: a Scene (prompted); got: judge_image(). Per prompted object the judged object assigned
    to it (best assignment by colour, shape, then left-to-right order) must carry its colour /
    shape; count and background per picture."""
    from itertools import permutations

    n = len(want.objects)
    # The largest few components only: an untrained model's speckle would make permutations explode.
    biggest = sorted(got["objects"], key=lambda o: -o["pixels"])[:6]
    cands = sorted(biggest, key=lambda o: o["cx"]) + [None] * n
    best, best_key = None, None
    for perm in permutations(range(len(cands)), n):
        pairs = [(o, cands[i]) for o, i in zip(want.objects, perm)]
        c = sum(1 for o, g in pairs if g and g["colour"] == o.colour)
        s = sum(1 for o, g in pairs if g and g["shape"] == o.shape)
        ordered = sum(1 for a, b in zip(perm, perm[1:]) if a < b)
        key = (2 * c + s, ordered)
        if best_key is None or key > best_key:
            best, best_key = (c, s), key
    return {"colour": best[0], "shape": best[1], "objects": n,
            "count": float(len(got["objects"]) == n), "background": float(got["background"] == want.background)}


def judge_batch(images: torch.Tensor, scenes) -> Dict[str, float]:
    """images [B, 3, H, W] in [-1, 1] (as sampled), scenes: the prompted Scenes -> rates."""
    x = ((images.float().clamp(-1, 1) + 1) * 127.5).round().div(255).permute(0, 2, 3, 1).cpu().numpy().astype(np.float64)
    templates = _templates(x.shape[1] if x.shape[1] else IMAGE_SIZE)
    tot = {"colour": 0, "shape": 0, "objects": 0, "count": 0.0, "background": 0.0}
    for img, sc in zip(x, scenes):
        r = score(sc, judge_image(img, templates))
        for k in tot:
            tot[k] += r[k]
    n = max(1, len(scenes))
    return {"colour": tot["colour"] / max(1, tot["objects"]), "shape": tot["shape"] / max(1, tot["objects"]),
            "count": tot["count"] / n, "background": tot["background"] / n, "n": len(scenes)}


__all__ = ["judge_image", "judge_batch", "score", "SHAPES"]
