"""Sampling + the Python judge for train_scenes.py's log (the reference figures come from
`pnpm ptp quality --pack tiny-scenes` on the exported pack)."""
from __future__ import annotations

import struct
import zlib

import numpy as np
import torch

from ptp_models.scenes_judge import judge_batch
from train_shapes import sample


def write_png(path: str, rgb: np.ndarray) -> None:
    """rgb [H, W, 3] uint8 -> an 8-bit RGB PNG (no image library on the GPU machine)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    head = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def grid(images: torch.Tensor, cols: int = 8) -> np.ndarray:
    """[N, 3, H, W] in [-1, 1] -> one uint8 [rows*H, cols*W, 3] picture (missing cells black)."""
    x = ((images.float().clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()
    n, h, w, _ = x.shape
    rows = (n + cols - 1) // cols
    out = np.zeros((rows * h, cols * w, 3), dtype=np.uint8)
    for i in range(n):
        out[(i // cols) * h:(i // cols + 1) * h, (i % cols) * w:(i % cols + 1) * w] = x[i]
    return out


@torch.no_grad()
def judge_samples(unet, text, vae, sf, ids, uncond, scenes, device, guidance, steps, seed, png_path,
                  chunk: int = 256):
    """DDIM samples of the prompted scenes (float32, `chunk` at a time) judged per object."""
    gen = torch.Generator(device=device).manual_seed(seed + 1)
    latent = int(unet.config.sample_size)
    images = []
    for i in range(0, ids.shape[0], chunk):
        images.append(sample(unet, text, vae, sf, ids[i:i + chunk], uncond, gen, device, guidance,
                             steps=steps, latent=latent))
    images = torch.cat(images)
    res = judge_batch(images, scenes)
    res["guidance"] = guidance
    write_png(png_path, grid(images[:64]))
    return res
