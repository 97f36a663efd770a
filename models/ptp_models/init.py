"""Seeded weight initialisation for random packs.

Goals (a random network is no denoiser, but it must be a usable test subject):
- deterministic: one torch.Generator seeded from the pack seed, modules visited in a fixed order,
  calibration factors rounded to 2 significant digits;
- well-scaled: every Linear/Conv gets N(0, gain^2 / fan_in); residual branches end with a smaller
  gain so the residual stream grows slowly; final layers are rescaled on a fixed probe batch
  (VAE latents with std ~ 1/scaling_factor, decoded images with std ~ 0.35);
- stable sampling: `install_noise_prior` makes out_sample ~ normalise(sample) + a random residual,
  so 50-step guided sampling keeps latents at unit scale instead of growing ~20x;
- attention with contrast: q/k projections get a larger gain so that attention logits have a
  standard deviation of about QK_GAIN^2 and softmax maps are not near-uniform.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
from torch import nn

QK_GAIN = 1.6  # logits std ~ QK_GAIN**2 ~ 2.5 for unit-variance (layer-normed) inputs
RESIDUAL_GAIN = 0.5  # last layer of a residual branch
BIAS_STD = 0.02
TOKEN_EMBED_STD = 1.0
POSITION_EMBED_STD = 0.3  # smaller than the tokens' so token identity dominates the states

_RESIDUAL_ENDS = ("conv2", "to_out.0", "ff.net.2", "proj_out", "out_proj", "mlp.fc2")
_QK = ("to_q", "to_k", "q_proj", "k_proj")


def _gain_for(name: str) -> float:
    if name.endswith(_QK):
        return QK_GAIN
    if name.endswith(_RESIDUAL_ENDS):
        return RESIDUAL_GAIN
    return 1.0


@torch.no_grad()
def init_weights(model: nn.Module, gen: torch.Generator) -> None:
    for name, mod in model.named_modules():
        if isinstance(mod, (nn.Linear, nn.Conv2d)):
            fan_in = mod.weight[0].numel()
            std = _gain_for(name) / math.sqrt(fan_in)
            mod.weight.copy_(torch.randn(mod.weight.shape, generator=gen) * std)
            if mod.bias is not None:
                mod.bias.copy_(torch.randn(mod.bias.shape, generator=gen) * BIAS_STD)
        elif isinstance(mod, nn.Embedding):
            std = POSITION_EMBED_STD if name.endswith("position_embedding") else TOKEN_EMBED_STD
            mod.weight.copy_(torch.randn(mod.weight.shape, generator=gen) * std)
        elif isinstance(mod, (nn.GroupNorm, nn.LayerNorm)):
            mod.weight.fill_(1.0)
            mod.bias.zero_()
        elif any(True for _ in mod.parameters(recurse=False)):
            raise TypeError(f"no init rule for {name} ({type(mod).__name__})")


def _round_sig(x: float, digits: int = 2) -> float:
    """Calibration factors are rounded so that last-bit differences in the probe forward pass
    (thread counts, BLAS builds) cannot change the weights: keeps exports byte-reproducible."""
    if x == 0 or not math.isfinite(x):
        raise ValueError(f"bad calibration factor {x}")
    return float(f"{x:.{digits}g}")


@torch.no_grad()
def rescale_output(layer: nn.Module, probe: Callable[[], torch.Tensor], target_std: float,
                   rows: slice | None = None) -> float:
    """Scale `layer`'s weight and bias (optionally only output rows `rows`) so that the std of
    `probe()` becomes about `target_std`. Returns the factor applied."""
    std = float(probe().std())
    factor = _round_sig(target_std / std)
    sel = rows if rows is not None else slice(None)
    layer.weight[sel] *= factor
    if layer.bias is not None:
        layer.bias[sel] *= factor
    return factor


def _silu_and_slope(z: float):
    s = 1.0 / (1.0 + math.exp(-z))
    return z * s, s * (1.0 + z * (1.0 - s))


@torch.no_grad()
def install_noise_prior(unet, probe: Callable[[], torch.Tensor], residual_std: float,
                        gamma: float = 0.25, beta: float = 4.0) -> float:
    """Turn a random UNet into a crude denoiser: out_sample ~ normalise(sample) + residual.

    A random UNet predicts noise uncorrelated with its input, and a sampler driven by that makes
    latents grow ~20x over 50 steps. Predicting "the whole input is noise" (the input,
    normalised) keeps trajectories at unit scale, while the random rest of the network (scaled
    to `residual_std`) still carries the prompt. Done with weights only, along the skip that SD's
    UNet already has: conv_in -> skip -> last up resnet's conv_shortcut -> conv_norm_out group 0
    (affine gamma, beta puts SiLU in its near-linear range) -> conv_out centre taps.
    """
    cin = unet.config.in_channels
    c0 = unet.config.block_out_channels[0]
    gs = c0 // unet.config.norm_num_groups  # channels per group; group 0 = channels [0, gs)
    if gs < cin:
        raise ValueError(f"need >= {cin} channels per norm group, got {gs}")
    grp, idx = slice(0, gs), torch.arange(cin)
    # conv_in: channels 0..cin-1 copy the sample.
    unet.conv_in.weight[:cin] = 0
    unet.conv_in.weight[idx, idx, 1, 1] = 1
    unet.conv_in.bias[:cin] = 0
    # The last up resnet eats conv_in's output as its skip (concat columns c0..2*c0-1): its
    # shortcut passes the copies through; nothing else writes into group 0 from there on.
    last_block = unet.up_blocks[-1]
    res = last_block.resnets[-1]
    res.conv_shortcut.weight[grp] = 0
    res.conv_shortcut.weight[idx, c0 + idx, 0, 0] = 1
    res.conv_shortcut.bias[grp] = 0
    res.conv2.weight[grp] = 0
    res.conv2.bias[grp] = 0
    if last_block.attentions is not None:
        last_block.attentions[-1].proj_out.weight[grp] = 0
        last_block.attentions[-1].proj_out.bias[grp] = 0
    norm = unet.conv_norm_out
    norm.weight[grp] = gamma
    norm.bias[grp] = beta
    # conv_out: the random part (all channels but group 0) scaled to residual_std ...
    out = unet.conv_out
    out.weight[:, grp] = 0
    factor = rescale_output(out, probe, residual_std)
    # ... plus the linearised identity: silu(gamma*xhat + beta) ~ silu(beta) + slope*gamma*xhat,
    # where xhat has std sqrt(gs/cin) because group 0 also holds gs-cin zero channels.
    silu_b, slope = _silu_and_slope(beta)
    w = 1.0 / (gamma * slope * math.sqrt(gs / cin))
    out.weight[idx, idx, 1, 1] = w
    out.bias[:cin] -= w * silu_b
    return factor
