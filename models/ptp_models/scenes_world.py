"""The tiny-scenes world: 1 to 3 coloured objects on a structured background, with caption and masks.

64x64 px. Objects (circle, square, triangle, diamond) in the six tiny-shapes colours, three sizes,
plain or dotted, never overlapping (their boxes keep a gap); backgrounds plain white, plain black,
diagonal grey stripes, a grey checkerboard and a "landscape" (sky above a grass horizon). The
caption names every object left to right and the background:
"a small red circle and a blue dotted square on a striped background".

Two samplers draw the same distribution:
- `sample_batch()` renders whole batches on the training device from a torch.Generator (training);
- `random_scene()` draws one scene from mulberry32 with float64 scalar maths, identical to
  `randomScene()` in packages/nodes/src/metrics/scenesWorld.ts, so a seed names the same scene,
  caption and pixels in Python and TypeScript (scenesWorld.test.ts checks a fixture).
Keep palette, geometry, backgrounds and grammar identical in both files.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Sequence, Tuple

import torch

from .shapes_world import COLOURS  # the six tiny-shapes colours, unchanged

IMAGE_SIZE = 64
SHAPES: Tuple[str, ...] = ("circle", "square", "triangle", "diamond")
# Half extents in pixels, uniform within each size; "medium" is not said in captions.
SIZES: Tuple[str, ...] = ("small", "medium", "large")
SIZE_RANGES: Tuple[Tuple[float, float], ...] = ((6.0, 7.5), (8.5, 10.5), (11.5, 13.5))
TEXTURES: Tuple[str, ...] = ("plain", "dotted")
P_DOTTED = 0.2
BACKGROUNDS: Tuple[str, ...] = ("white", "black", "striped", "checkered", "landscape")
MAX_OBJECTS = 3
MARGIN = 1.0  # pixels between an object's box and the image edge
GAP = 2.0  # pixels between two objects' boxes (along x or along y)
PLACEMENT_TRIES = 20
DOT_PITCH, DOT_RADIUS, DOT_SHADE = 4.0, 1.2, 0.6
# Colours of the structured backgrounds (0..1 grey or RGB), chosen at RGB distance >= 0.4 from
# every palette colour so objects stand out (and the judge can separate them).
WHITE, BLACK = 0.95, 0.06
STRIPE_LIGHT, STRIPE_DARK = 0.82, 0.62
CHECK_LIGHT, CHECK_DARK = 0.50, 0.25
SKY = (0.60, 0.80, 0.95)
GRASS = (0.55, 0.68, 0.32)
HORIZON = 40  # first grass row


@dataclass
class SceneObject:
    shape: str
    colour: str
    size: str
    texture: str
    cx: float
    cy: float
    r: float


@dataclass
class Scene:
    background: str
    objects: List[SceneObject]  # left to right (by cx), as the caption names them


def object_phrase(o: SceneObject) -> str:
    words = ["a"] + ([o.size] if o.size != "medium" else []) + ([o.texture] if o.texture != "plain" else [])
    return " ".join(words + [o.colour, o.shape])


def caption(scene: Scene) -> str:
    return " and ".join(object_phrase(o) for o in scene.objects) + f" on a {scene.background} background"


def vocabulary() -> Tuple[str, ...]:
    """Every word a caption can contain (the text encoder's reduced vocabulary is built from these)."""
    return ("a", "and", "on", "background", "small", "large", "dotted") + tuple(COLOURS) + SHAPES + BACKGROUNDS


# ---------------------------------------------------------------------------------------------
# Scalar sampler (mulberry32, float64): the TypeScript twin draws the same scenes for a seed.


def mulberry32(seed: int) -> Callable[[], float]:
    state = [seed & 0xFFFFFFFF]

    def imul(a: int, b: int) -> int:
        return (a * b) & 0xFFFFFFFF

    def rand() -> float:
        state[0] = (state[0] + 0x6D2B79F5) & 0xFFFFFFFF
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return rand


def _pick(items: Sequence, u: float):
    return items[min(len(items) - 1, int(u * len(items)))]


def separated(a: Tuple[float, float, float], b: Tuple[float, float, float]) -> bool:
    """Boxes [c - r, c + r] apart by GAP along x or along y (every shape lies inside its box)."""
    need = a[2] + b[2] + GAP
    return abs(a[0] - b[0]) >= need or abs(a[1] - b[1]) >= need


def random_scene(rand: Callable[[], float], size: int = IMAGE_SIZE) -> Scene:
    """Draw order (keep identical in TS): background, count, then per object shape, colour, size,
    texture, radius and up to PLACEMENT_TRIES (cx, cy) pairs; an object that finds no free place is
    dropped. Objects are then sorted by cx."""
    background = _pick(BACKGROUNDS, rand())
    n = 1 + min(MAX_OBJECTS - 1, int(rand() * MAX_OBJECTS))
    placed: List[SceneObject] = []
    for _ in range(n):
        shape = _pick(SHAPES, rand())
        colour = _pick(list(COLOURS), rand())
        si = min(len(SIZES) - 1, int(rand() * len(SIZES)))
        texture = "dotted" if rand() < P_DOTTED else "plain"
        lo, hi = SIZE_RANGES[si]
        r = lo + (hi - lo) * rand()
        span = size - 2 * (r + MARGIN)
        for _ in range(PLACEMENT_TRIES):
            cx = r + MARGIN + rand() * span
            cy = r + MARGIN + rand() * span
            if all(separated((cx, cy, r), (o.cx, o.cy, o.r)) for o in placed):
                placed.append(SceneObject(shape, colour, SIZES[si], texture, cx, cy, r))
                break
    placed.sort(key=lambda o: o.cx)
    return Scene(background, placed)


# ---------------------------------------------------------------------------------------------
# Rendering (batched torch; float32 on any device).


def signed_distance(shape, cx, cy, r, xs, ys):
    """Positive inside. shape/cx/cy/r: [...]; xs, ys: pixel-centre grids [H, W] -> [..., H, W]."""
    dx = xs - cx[..., None, None]
    dy = ys - cy[..., None, None]
    rr = r[..., None, None]
    circle = rr - torch.sqrt(dx * dx + dy * dy)
    square = rr - torch.maximum(dx.abs(), dy.abs())
    # Isosceles triangle, apex up: base 2r wide at cy + r, apex at cy - r (as tiny-shapes).
    triangle = torch.minimum(((dy + rr) - 2 * dx.abs()) / 5 ** 0.5, rr - dy)
    diamond = (rr - dx.abs() - dy.abs()) / 2 ** 0.5
    s = shape[..., None, None]
    return torch.where(s == 0, circle, torch.where(s == 1, square, torch.where(s == 2, triangle, diamond)))


_CONSTANTS: Dict[tuple, torch.Tensor] = {}


def _constant(key: tuple, device, make: Callable[[], torch.Tensor]) -> torch.Tensor:
    """A tensor made once per device. Why: torch.tensor(list, device="cuda") is a blocking copy
    (PyTorch synchronises the stream after a non-pinned host-to-device copy), and one per training
    step would stop the CPU from queueing the next step while the GPU works."""
    k = key + (str(device),)
    if k not in _CONSTANTS:
        _CONSTANTS[k] = make()
    return _CONSTANTS[k]


def background_image(kind: torch.Tensor, size: int = IMAGE_SIZE) -> torch.Tensor:
    """kind [B] (index into BACKGROUNDS) -> [B, 3, H, W] in 0..1; integer pixel maths only."""
    return _constant(("backgrounds", size), kind.device, lambda: _background_table(kind.device, size))[kind]


def _background_table(device, size: int) -> torch.Tensor:
    i = torch.arange(size, device=device)
    y, x = torch.meshgrid(i, i, indexing="ij")

    def grey(v):
        return v.to(torch.float32)[None].expand(3, -1, -1)

    stripes = grey(torch.where(((x + y) // 8) % 2 == 0, STRIPE_LIGHT, STRIPE_DARK))
    checks = grey(torch.where(((x // 8) + (y // 8)) % 2 == 0, CHECK_LIGHT, CHECK_DARK))
    sky = torch.tensor(SKY, device=device)[:, None, None].expand(3, size, size)
    grass = torch.tensor(GRASS, device=device)[:, None, None].expand(3, size, size)
    land = torch.where((y >= HORIZON)[None], grass, sky)
    return torch.stack([torch.full((3, size, size), WHITE, device=device),
                        torch.full((3, size, size), BLACK, device=device), stripes, checks, land])


def render(background, shape, colour, texture, cx, cy, r, active, size: int = IMAGE_SIZE):
    """background [B]; per-object tensors [B, K] (index into SHAPES / COLOURS / TEXTURES, pixels,
    active bool). Objects are composited in slot order with one-pixel anti-aliasing; dotted objects
    have DOT_SHADE-darker dots on a DOT_PITCH grid centred on the object.
    Returns (image [B, 3, H, W] in [-1, 1], masks [B, K, H, W] bool: signed distance > 0)."""
    device = cx.device
    grid = torch.arange(size, device=device, dtype=torch.float32) + 0.5
    ys, xs = torch.meshgrid(grid, grid, indexing="ij")
    img = background_image(background, size)
    pal = _constant(("palette",), device, lambda: torch.tensor(list(COLOURS.values()), device=device))
    sd = signed_distance(shape, cx, cy, r, xs, ys)  # [B, K, H, W]
    lx = xs - cx[..., None, None]
    ly = ys - cy[..., None, None]
    gx = torch.floor(lx / DOT_PITCH + 0.5) * DOT_PITCH
    gy = torch.floor(ly / DOT_PITCH + 0.5) * DOT_PITCH
    dot = (DOT_RADIUS - torch.sqrt((lx - gx) ** 2 + (ly - gy) ** 2) + 0.5).clamp(0, 1)
    dot = dot * (texture == 1)[..., None, None]
    for k in range(shape.shape[1]):
        fg = pal[colour[:, k]][:, :, None, None]  # [B, 3, 1, 1]
        d = dot[:, k, None]
        col = fg * (1 - d) + fg * DOT_SHADE * d
        cover = (sd[:, k] + 0.5).clamp(0, 1)[:, None] * active[:, k, None, None, None]
        img = cover * col + (1 - cover) * img
    return img * 2 - 1, (sd > 0) & active[..., None, None]


def render_scene(scene: Scene, device="cpu", size: int = IMAGE_SIZE):
    """One Scene -> (image [3, H, W] in [-1, 1], masks [len(objects), H, W])."""
    k = max(1, len(scene.objects))
    pad = [SceneObject("circle", "red", "small", "plain", 0.0, 0.0, 0.0)] * (k - len(scene.objects))
    objs = scene.objects + pad

    def t(vals, dt=torch.float32):
        return torch.tensor([vals], dtype=dt, device=device)

    img, masks = render(
        torch.tensor([BACKGROUNDS.index(scene.background)], device=device),
        t([SHAPES.index(o.shape) for o in objs], torch.long),
        t([list(COLOURS).index(o.colour) for o in objs], torch.long),
        t([TEXTURES.index(o.texture) for o in objs], torch.long),
        t([o.cx for o in objs]), t([o.cy for o in objs]), t([o.r for o in objs]),
        t([i < len(scene.objects) for i in range(k)], torch.bool), size)
    return img[0], masks[0, : len(scene.objects)]


# ---------------------------------------------------------------------------------------------
# Batched sampler for training: the same distribution as random_scene(), drawn on the device.


@dataclass
class Batch:
    images: torch.Tensor  # [B, 3, H, W] in [-1, 1]
    masks: torch.Tensor  # [B, K, H, W] bool, slots left to right, inactive slots empty
    active: torch.Tensor  # [B, K] bool
    shape: torch.Tensor  # [B, K]
    colour: torch.Tensor
    size: torch.Tensor
    texture: torch.Tensor
    background: torch.Tensor  # [B]
    ids: torch.Tensor  # [B, 77] token ids of the caption (the empty prompt where dropped)


def sample_batch(n: int, gen: torch.Generator, device, words: Dict[str, int], p_drop: float = 0.1,
                 size: int = IMAGE_SIZE, length: int = 77) -> Batch:
    """`words`: token id of every vocabulary() word plus "<bos>" and "<eos>" (each one token)."""
    K, T = MAX_OBJECTS, PLACEMENT_TRIES

    def u(*shape):
        return torch.rand(shape, generator=gen, device=device)

    def idx(count, *shape):
        return (u(*shape) * count).long().clamp(max=count - 1)

    background = idx(len(BACKGROUNDS), n)
    count = idx(K, n) + 1
    shape, colour, sz = idx(len(SHAPES), n, K), idx(len(COLOURS), n, K), idx(len(SIZES), n, K)
    texture = (u(n, K) < P_DOTTED).long()
    ranges = _constant(("sizes",), device, lambda: torch.tensor(SIZE_RANGES, device=device))
    lo, hi = ranges[sz, 0], ranges[sz, 1]
    r = lo + (hi - lo) * u(n, K)
    span = size - 2 * (r + MARGIN)
    cand_x = r[..., None] + MARGIN + u(n, K, T) * span[..., None]
    cand_y = r[..., None] + MARGIN + u(n, K, T) * span[..., None]
    cx = torch.zeros(n, K, device=device)
    cy = torch.zeros(n, K, device=device)
    active = torch.zeros(n, K, dtype=torch.bool, device=device)
    for k in range(K):
        ok = torch.ones(n, T, dtype=torch.bool, device=device)
        for j in range(k):
            need = (r[:, k] + r[:, j] + GAP)[:, None]
            sep = ((cand_x[:, k] - cx[:, j, None]).abs() >= need) | ((cand_y[:, k] - cy[:, j, None]).abs() >= need)
            ok &= sep | ~active[:, j, None]
        first = torch.where(ok, torch.arange(T, device=device)[None].expand(n, T), torch.full_like(ok, T, dtype=torch.long)).min(dim=1).values
        found = (first < T) & (k < count)
        pick = first.clamp(max=T - 1)[:, None]
        cx[:, k] = torch.where(found, cand_x[:, k].gather(1, pick)[:, 0], cx[:, k])
        cy[:, k] = torch.where(found, cand_y[:, k].gather(1, pick)[:, 0], cy[:, k])
        active[:, k] = found
    # Left to right, inactive slots last.
    order = torch.where(active, cx, torch.full_like(cx, float(size) * 4)).argsort(dim=1)

    def sort(t):
        return t.gather(1, order)

    shape, colour, sz, texture, cx, cy, r, active = map(sort, (shape, colour, sz, texture, cx, cy, r, active))
    images, masks = render(background, shape, colour, texture, cx, cy, r, active, size)
    ids = caption_ids(background, shape, colour, sz, texture, active, words, length)
    drop = u(n) < p_drop
    empty = torch.full_like(ids, words["<eos>"])
    empty[:, 0] = words["<bos>"]
    ids = torch.where(drop[:, None], empty, ids)
    return Batch(images, masks, active, shape, colour, sz, texture, background, ids)


def caption_ids(background, shape, colour, sz, texture, active, words: Dict[str, int], length: int = 77):
    """Token ids of caption() for a batch, built on the device: a fixed template of word slots
    (BOS, per object [a, size, texture, colour, shape, and], on a <bg> background, EOS), unused
    slots removed by a stable compaction."""
    n, K = shape.shape
    device = shape.device

    def table(names):
        ids = [words[w] if w else -1 for w in names]
        return _constant(("ids",) + tuple(ids), device, lambda: torch.tensor(ids, device=device))

    col_t, shp_t, bg_t = table(list(COLOURS)), table(SHAPES), table(BACKGROUNDS)
    size_t = table(["small", "", "large"])
    full = lambda v: torch.full((n,), v, dtype=torch.long, device=device)  # noqa: E731
    slots, valid = [full(words["<bos>"])], [torch.ones(n, dtype=torch.bool, device=device)]
    n_active = active.sum(dim=1)
    for k in range(K):
        on = active[:, k]
        s_id = size_t[sz[:, k]]
        slots += [full(words["a"]), s_id, full(words["dotted"]), col_t[colour[:, k]], shp_t[shape[:, k]], full(words["and"])]
        valid += [on, on & (s_id >= 0), on & (texture[:, k] == 1), on, on, on & (k + 1 < n_active)]
    slots += [full(words["on"]), full(words["a"]), bg_t[background], full(words["background"]), full(words["<eos>"])]
    valid += [torch.ones(n, dtype=torch.bool, device=device)] * 5
    slots_t, valid_t = torch.stack(slots, 1), torch.stack(valid, 1)
    pos = torch.where(valid_t, valid_t.long().cumsum(1) - 1, torch.full_like(slots_t, length))
    out = torch.full((n, length + 1), words["<eos>"], dtype=torch.long, device=device)
    out.scatter_(1, pos, slots_t)
    return out[:, :length]


def batch_scene(b: Batch, i: int) -> Scene:
    """Item i of a batch as a Scene (for checks; positions are not kept in Batch)."""
    objs = [SceneObject(SHAPES[int(b.shape[i, k])], list(COLOURS)[int(b.colour[i, k])], SIZES[int(b.size[i, k])],
                        TEXTURES[int(b.texture[i, k])], 0.0, 0.0, 0.0)
            for k in range(b.shape.shape[1]) if bool(b.active[i, k])]
    return Scene(BACKGROUNDS[int(b.background[i])], objs)
