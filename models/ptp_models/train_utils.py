"""Training helpers of train_scenes.py: log, noise schedule, clock-driven learning rate, EMA,
optimiser, bf16 autocast (CUDA; emulated on the CPU for tests) and the batch-size probe; the log,
schedule, set_lr and encode_mean serve train_shapes.py too. Plain torch that runs on torch 1.13 and
2.x; no numpy (the GPU machine may lack it)."""
from __future__ import annotations

import contextlib
import math
import time

import torch
import torch.nn.functional as F


class Log:
    def __init__(self, path: str):
        self.f = open(path, "a")

    def __call__(self, msg: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        self.f.write(line + "\n")
        self.f.flush()


def alphas_cumprod(device) -> torch.Tensor:
    """SD 1.x scaled-linear schedule (train_shapes.py and train_scenes.py)."""
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    return torch.cumprod(1 - betas, 0).to(device=device, dtype=torch.float32)


def set_lr(opt, lr):
    for g in opt.param_groups:
        g["lr"] = lr


def encode_mean(vae, x):
    return vae.quant_conv(vae.encoder(x))[:, : vae.config.latent_channels]


def lr_at(progress: float, step: int, base: float, warmup: int) -> float:
    """Linear warm-up over `warmup` steps, then cosine from base to base/10 as progress -> 1."""
    if step < warmup:
        return base * (step + 1) / warmup
    return base * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(max(progress, 0.0), 1.0))))


@torch.no_grad()
def ema_update(ema, model, decay):
    """One multi-tensor update instead of two kernels per parameter (hundreds of launches a step)."""
    e, p = list(ema.parameters()), [q.detach() for q in model.parameters()]
    torch._foreach_mul_(e, decay)
    torch._foreach_add_(e, p, alpha=1 - decay)


def make_optimizer(params, lr, cuda):
    if cuda:
        try:  # torch 2.x: one fused kernel for the whole step
            return torch.optim.AdamW(params, lr=lr, weight_decay=0.01, fused=True)
        except (TypeError, RuntimeError):
            pass
    return torch.optim.AdamW(params, lr=lr, weight_decay=0.01)


BF16 = {"on": False}  # set by --bf16


class BatchProbe:
    """Chooses the UNet batch by measurement: the first `steps` steps run at each candidate size in
    turn (real training steps), timed after one warm-up step each; then the smallest size within
    `prefer` of the best samples/s is kept. Why: a 16M-parameter UNet may leave an H200
    launch-bound, where twice the batch costs little more time per step; when it is compute-bound,
    the smaller batch gives more optimiser steps for the same samples."""

    def __init__(self, sizes, steps, device, log, prefer=1.4):
        self.sizes, self.steps, self.device, self.log, self.prefer = list(sizes), max(2, steps), device, log, prefer
        self.rates, self.chosen, self.t = {}, None if len(self.sizes) > 1 else self.sizes[0], None

    def _sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.time()

    def batch(self, step: int) -> int:
        if self.chosen is not None:
            return self.chosen
        phase, k = divmod(step, self.steps)
        if k == 1:  # after one warm-up step at this size
            self.t = self._sync()
        return self.sizes[phase]

    def done_step(self, step: int) -> None:
        if self.chosen is not None:
            return
        phase, k = divmod(step, self.steps)
        if k == self.steps - 1:
            size = self.sizes[phase]
            self.rates[size] = size * (self.steps - 1) / max(1e-9, self._sync() - self.t)
            if phase == len(self.sizes) - 1:
                best = max(self.rates.values())
                self.chosen = min(s for s, r in self.rates.items() if r * self.prefer >= best)
                rates = ", ".join(f"{s}: {r:,.0f}/s" for s, r in self.rates.items())
                self.log(f"batch probe ({rates}) -> batch {self.chosen}")


def emulate_cuda_autocast_norms():
    """CUDA autocast runs group_norm / layer_norm in float32; torch 1.13's CPU autocast does not
    (it fails on a bf16 input with float32 weights). For the CPU test of the bf16 path only."""
    for name in ("group_norm", "layer_norm"):
        orig = getattr(F, name)

        def wrapped(x, *a, _orig=orig, **k):
            return _orig(x.float(), *a, **k)

        setattr(F, name, wrapped)


def autocast(device: torch.device):
    """bf16 autocast on CUDA; on the CPU only with --bf16 on (to test that path without a GPU)."""
    if device.type == "cuda" or BF16["on"]:
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()
