"""The tiny-shapes world: one coloured shape on a plain background, with its caption and mask.

Rendered with signed distances on the training device (no data files): every batch is fresh,
drawn from a seeded torch.Generator, so training is deterministic for a seed. The TypeScript side
(`packages/nodes/src/metrics/shapesWorld.ts`) renders the same world for its metric tests; keep
the palette, sizes and geometry identical.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple

import torch

IMAGE_SIZE = 32
# Colours: two dark (blue, purple), two light (yellow, orange), two in between (red, green).
COLOURS: Dict[str, Tuple[float, float, float]] = {
    "red": (0.86, 0.10, 0.10),
    "orange": (1.00, 0.55, 0.00),
    "yellow": (0.96, 0.88, 0.10),
    "green": (0.10, 0.62, 0.18),
    "blue": (0.12, 0.22, 0.86),
    "purple": (0.50, 0.12, 0.62),
}
BACKGROUNDS: Dict[str, Tuple[float, float, float]] = {
    "white": (0.95, 0.95, 0.95),
    "black": (0.06, 0.06, 0.06),
}
SHAPES: Tuple[str, ...] = ("circle", "square", "triangle")
SIZE_WORDS: Tuple[str, ...] = ("", "small", "large")
# Half extents as fractions of the image side: big shapes span several latent cells, which is
# what lets a CPU-sized model learn the shape and not only the colour.
R_MIN, R_MAX = 0.18, 0.36
SMALL_BELOW, LARGE_ABOVE = 0.24, 0.30  # radii for which "small" / "large" may be said
MARGIN = 1.0  # pixels


def caption(size: str, colour: str, shape: str, background: str) -> str:
    words = ["a"] + ([size] if size else []) + [colour, shape]
    if background:
        words += ["on", "a", background, "background"]
    return " ".join(words)


def caption_table() -> List[str]:
    """Every caption the training can draw, in a fixed order; the empty prompt comes last."""
    out = []
    for size in SIZE_WORDS:
        for c in COLOURS:
            for s in SHAPES:
                for bg in ("",) + tuple(BACKGROUNDS):
                    out.append(caption(size, c, s, bg))
    out.append("")
    return out


def caption_index(size, colour, shape, bg):
    """Index into caption_table() (ints or tensors); bg 0: no background words, 1..: backgrounds."""
    nb = len(BACKGROUNDS) + 1
    return ((size * len(COLOURS) + colour) * len(SHAPES) + shape) * nb + bg


@dataclass
class Batch:
    images: torch.Tensor  # [B, 3, H, W] in [-1, 1]
    masks: torch.Tensor  # [B, H, W] exact coverage > 0.5
    captions: torch.Tensor  # [B] index into caption_table()
    colour: torch.Tensor
    shape: torch.Tensor
    background: torch.Tensor


def signed_distance(shape: torch.Tensor, cx, cy, r, xs, ys) -> torch.Tensor:
    """Positive inside. shape/cx/cy/r: [B]; xs, ys: pixel-centre grids [H, W]."""
    dx = xs[None] - cx[:, None, None]
    dy = ys[None] - cy[:, None, None]
    rr = r[:, None, None]
    circle = rr - torch.sqrt(dx * dx + dy * dy)
    square = rr - torch.maximum(dx.abs(), dy.abs())
    # Isosceles triangle, apex up: base 2r wide at cy + r, apex at cy - r.
    side = ((dy + rr) - 2 * dx.abs()) / 5 ** 0.5
    base = rr - dy
    triangle = torch.minimum(side, base)
    s = shape[:, None, None]
    return torch.where(s == 0, circle, torch.where(s == 1, square, triangle))


def render(shape, colour, background, cx, cy, r, size: int = IMAGE_SIZE):
    device = cx.device
    grid = torch.arange(size, device=device, dtype=torch.float32) + 0.5
    ys, xs = torch.meshgrid(grid, grid, indexing="ij")
    sd = signed_distance(shape, cx, cy, r, xs, ys)
    cover = (sd + 0.5).clamp(0, 1)[:, None]  # one-pixel anti-aliasing
    pal = torch.tensor(list(COLOURS.values()), device=device)
    bgs = torch.tensor(list(BACKGROUNDS.values()), device=device)
    fg = pal[colour][:, :, None, None]
    bg = bgs[background][:, :, None, None]
    img = cover * fg + (1 - cover) * bg
    return img * 2 - 1, sd > 0


def sample_batch(n: int, gen: torch.Generator, device, p_drop: float = 0.1,
                 p_background_word: float = 0.7, p_size_word: float = 0.5,
                 size: int = IMAGE_SIZE) -> Batch:
    def u(lo, hi):
        return lo + (hi - lo) * torch.rand(n, generator=gen, device=device)

    colour = torch.randint(0, len(COLOURS), (n,), generator=gen, device=device)
    shape = torch.randint(0, len(SHAPES), (n,), generator=gen, device=device)
    background = torch.randint(0, len(BACKGROUNDS), (n,), generator=gen, device=device)
    rel = u(R_MIN, R_MAX)
    r = rel * size
    cx = u(0, 1) * (size - 2 * (r + MARGIN)) + r + MARGIN
    cy = u(0, 1) * (size - 2 * (r + MARGIN)) + r + MARGIN
    images, masks = render(shape, colour, background, cx, cy, r, size)

    say_size = u(0, 1) < p_size_word
    word = torch.zeros(n, dtype=torch.long, device=device)
    word = torch.where(say_size & (rel < SMALL_BELOW), torch.ones_like(word), word)
    word = torch.where(say_size & (rel > LARGE_ABOVE), torch.full_like(word, 2), word)
    bg_word = torch.where(u(0, 1) < p_background_word, background + 1, torch.zeros_like(background))
    idx = caption_index(word, colour, shape, bg_word)
    empty = len(SIZE_WORDS) * len(COLOURS) * len(SHAPES) * (len(BACKGROUNDS) + 1)
    idx = torch.where(u(0, 1) < p_drop, torch.full_like(idx, empty), idx)
    return Batch(images, masks, idx, colour, shape, background)


# ---------------------------------------------------------------------------------------------
# A quick judge for the training log (the project's real metrics live in TypeScript).


def judge(images: torch.Tensor):
    """images [B, 3, H, W] in [-1, 1] -> (colour, shape, background) indices by palette distance
    and bounding-box fill ratio (circle pi/4, square 1, triangle 1/2)."""
    x = (images.clamp(-1, 1) + 1) / 2
    bgs = torch.tensor(list(BACKGROUNDS.values()), device=x.device)
    pal = torch.tensor(list(COLOURS.values()), device=x.device)
    border = torch.cat([x[:, :, 0], x[:, :, -1], x[:, :, :, 0], x[:, :, :, -1]], dim=2).median(dim=2).values
    bg = torch.cdist(border, bgs).argmin(dim=1)
    d_bg = (x - bgs[bg][:, :, None, None]).norm(dim=1)
    fg = d_bg > 0.35
    colours, shapes = [], []
    for i in range(x.shape[0]):
        m = fg[i]
        if m.sum() < 4:
            colours.append(-1)
            shapes.append(-1)
            continue
        mean = x[i][:, m].mean(dim=1)
        colours.append(int(torch.cdist(mean[None], pal).argmin()))
        ys, xs = torch.nonzero(m, as_tuple=True)
        area = (ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1)
        fill = float(m.sum()) / float(area)
        shapes.append(0 if 0.65 <= fill < 0.9 else 1 if fill >= 0.9 else 2)
    dev = x.device
    return torch.tensor(colours, device=dev), torch.tensor(shapes, device=dev), bg
