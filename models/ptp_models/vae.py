"""A VAE laid out like diffusers' `AutoencoderKL` (SD 1.x): 8x down/upsampling, 4 latent channels.

Exported as two graphs (optimum layout):
- `vae_encoder`: image in [-1, 1] -> `latent_sample` = the posterior MEAN (deterministic; no
  sampling with noise inside the graph). Multiply by `scaling_factor` before diffusion.
- `vae_decoder`: `latent_sample` (already divided by `scaling_factor`) -> image, nominally in
  [-1, 1] but NOT clamped inside the graph, exactly as SD's decoder; clamp downstream.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import torch
from torch import nn

from .resnet import Downsample2D, ResnetBlock2D, Upsample2D

VAE_EPS = 1e-6


@dataclass
class VAEConfig:
    in_channels: int = 3
    out_channels: int = 3
    latent_channels: int = 4
    block_out_channels: Tuple[int, ...] = (128, 256, 512, 512)
    layers_per_block: int = 2
    norm_num_groups: int = 32
    scaling_factor: float = 0.18215
    sample_size: int = 512

    def diffusers_config(self) -> dict:
        n = len(self.block_out_channels)
        return {
            "_class_name": "AutoencoderKL",
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "latent_channels": self.latent_channels,
            "block_out_channels": list(self.block_out_channels),
            "down_block_types": ["DownEncoderBlock2D"] * n,
            "up_block_types": ["UpDecoderBlock2D"] * n,
            "layers_per_block": self.layers_per_block,
            "norm_num_groups": self.norm_num_groups,
            "act_fn": "silu",
            "sample_size": self.sample_size,
            "scaling_factor": self.scaling_factor,
        }


class VAEAttention(nn.Module):
    """Single-head spatial self-attention of the VAE mid block (diffusers `Attention` names)."""

    def __init__(self, ch: int, groups: int):
        super().__init__()
        self.group_norm = nn.GroupNorm(groups, ch, eps=VAE_EPS)
        self.to_q = nn.Linear(ch, ch)
        self.to_k = nn.Linear(ch, ch)
        self.to_v = nn.Linear(ch, ch)
        self.to_out = nn.ModuleList([nn.Linear(ch, ch), nn.Dropout(0.0)])
        self.scale = ch ** -0.5

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        t = self.group_norm(x).reshape(b, c, h * w).transpose(1, 2)
        q, k, v = self.to_q(t), self.to_k(t), self.to_v(t)
        p = (torch.matmul(q, k.transpose(-1, -2)) * self.scale).softmax(dim=-1)
        t = self.to_out[0](torch.matmul(p, v))
        return t.transpose(1, 2).reshape(b, c, h, w) + x


class VAEMidBlock(nn.Module):
    def __init__(self, ch: int, groups: int):
        super().__init__()
        self.resnets = nn.ModuleList(
            [ResnetBlock2D(ch, ch, None, groups, VAE_EPS), ResnetBlock2D(ch, ch, None, groups, VAE_EPS)]
        )
        self.attentions = nn.ModuleList([VAEAttention(ch, groups)])

    def forward(self, x):
        return self.resnets[1](self.attentions[0](self.resnets[0](x)))


class EncoderBlock(nn.Module):
    """DownEncoderBlock2D."""

    def __init__(self, cin: int, cout: int, layers: int, groups: int, down: bool):
        super().__init__()
        self.resnets = nn.ModuleList(
            [ResnetBlock2D(cin if j == 0 else cout, cout, None, groups, VAE_EPS) for j in range(layers)]
        )
        self.downsamplers = nn.ModuleList([Downsample2D(cout, padding=0)]) if down else None

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        return self.downsamplers[0](x) if self.downsamplers is not None else x


class DecoderBlock(nn.Module):
    """UpDecoderBlock2D."""

    def __init__(self, cin: int, cout: int, layers: int, groups: int, up: bool):
        super().__init__()
        self.resnets = nn.ModuleList(
            [ResnetBlock2D(cin if j == 0 else cout, cout, None, groups, VAE_EPS) for j in range(layers)]
        )
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if up else None

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        return self.upsamplers[0](x) if self.upsamplers is not None else x


class Encoder(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        boc, g = cfg.block_out_channels, cfg.norm_num_groups
        n = len(boc)
        self.conv_in = nn.Conv2d(cfg.in_channels, boc[0], 3, padding=1)
        self.down_blocks = nn.ModuleList(
            [EncoderBlock(boc[max(i - 1, 0)], boc[i], cfg.layers_per_block, g, i < n - 1) for i in range(n)]
        )
        self.mid_block = VAEMidBlock(boc[-1], g)
        self.conv_norm_out = nn.GroupNorm(g, boc[-1], eps=VAE_EPS)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(boc[-1], 2 * cfg.latent_channels, 3, padding=1)  # mean, logvar

    def forward(self, x):
        x = self.conv_in(x)
        for b in self.down_blocks:
            x = b(x)
        x = self.mid_block(x)
        return self.conv_out(self.conv_act(self.conv_norm_out(x)))


class Decoder(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        boc, g = cfg.block_out_channels, cfg.norm_num_groups
        n = len(boc)
        rev = list(reversed(boc))
        self.conv_in = nn.Conv2d(cfg.latent_channels, rev[0], 3, padding=1)
        self.mid_block = VAEMidBlock(rev[0], g)
        self.up_blocks = nn.ModuleList(
            [DecoderBlock(rev[max(i - 1, 0)], rev[i], cfg.layers_per_block + 1, g, i < n - 1) for i in range(n)]
        )
        self.conv_norm_out = nn.GroupNorm(g, boc[0], eps=VAE_EPS)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(boc[0], cfg.out_channels, 3, padding=1)

    def forward(self, z):
        x = self.mid_block(self.conv_in(z))
        for b in self.up_blocks:
            x = b(x)
        return self.conv_out(self.conv_act(self.conv_norm_out(x)))


class AutoencoderKL(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        self.config = cfg
        lc = cfg.latent_channels
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)
        self.quant_conv = nn.Conv2d(2 * lc, 2 * lc, 1)
        self.post_quant_conv = nn.Conv2d(lc, lc, 1)


class VaeEncoderExport(nn.Module):
    """Image -> posterior mean (first `latent_channels` of quant_conv(encoder(x))).

    A wrapper rather than a method so that the export keeps AutoencoderKL's `encoder.` and
    `quant_conv` prefixes while leaving the decoder out.
    """

    def __init__(self, vae: AutoencoderKL):
        super().__init__()
        self.encoder = vae.encoder
        self.quant_conv = vae.quant_conv
        self.latent_channels = vae.config.latent_channels

    def forward(self, sample):
        moments = self.quant_conv(self.encoder(sample))  # [mean, logvar] on channels
        return moments[:, : self.latent_channels]


class VaeDecoderExport(nn.Module):
    def __init__(self, vae: AutoencoderKL):
        super().__init__()
        self.post_quant_conv = vae.post_quant_conv
        self.decoder = vae.decoder

    def forward(self, latent_sample):
        return self.decoder(self.post_quant_conv(latent_sample))
