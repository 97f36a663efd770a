"""A UNet laid out like diffusers' `UNet2DConditionModel` (SD 1.x), with diffusers module names.

The names matter more than anything else here: exported ONNX node names (e.g.
`/down_blocks.0/attentions.0/transformer_blocks.0/attn2/Softmax`) are how the project's patcher
finds attention layers, and they must look like those of a real SD export.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .resnet import Downsample2D, ResnetBlock2D, Upsample2D
from .transformer import Transformer2DModel


@dataclass
class UNetConfig:
    in_channels: int = 4
    out_channels: int = 4
    block_out_channels: Tuple[int, ...] = (320, 640, 1280, 1280)
    # Which levels (down_blocks.i, mirrored in the up blocks) carry cross-attention.
    attention_levels: Tuple[bool, ...] = (True, True, True, False)
    layers_per_block: int = 2
    heads: int = 8  # SD 1.x `attention_head_dim: 8` really means 8 heads
    cross_attention_dim: int = 768
    norm_num_groups: int = 32
    norm_eps: float = 1e-5
    sample_size: int = 64  # nominal latent side (written to unet/config.json only)
    attention_mode: str = "folded"

    def diffusers_config(self) -> dict:
        """The subset of diffusers' UNet2DConditionModel config that describes this network."""
        n = len(self.block_out_channels)
        return {
            "_class_name": "UNet2DConditionModel",
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "sample_size": self.sample_size,
            "block_out_channels": list(self.block_out_channels),
            "down_block_types": [
                "CrossAttnDownBlock2D" if a else "DownBlock2D" for a in self.attention_levels
            ],
            "mid_block_type": "UNetMidBlock2DCrossAttn",
            "up_block_types": [
                "CrossAttnUpBlock2D" if a else "UpBlock2D" for a in reversed(self.attention_levels)
            ],
            "layers_per_block": self.layers_per_block,
            "attention_head_dim": self.heads,
            "cross_attention_dim": self.cross_attention_dim,
            "norm_num_groups": self.norm_num_groups,
            "norm_eps": self.norm_eps,
            "flip_sin_to_cos": True,
            "freq_shift": 0,
            "act_fn": "silu",
            "downsample_factor": 2 ** (n - 1),
        }


class Timesteps(nn.Module):
    """Sinusoidal embedding as SD: flip_sin_to_cos=True, downscale_freq_shift=0 -> [cos, sin]."""

    def __init__(self, num_channels: int):
        super().__init__()
        half = num_channels // 2
        exponent = -math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half
        self.register_buffer("freqs", torch.exp(exponent), persistent=False)

    def forward(self, timesteps: torch.Tensor) -> torch.Tensor:
        args = timesteps[:, None].float() * self.freqs[None, :]
        return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class TimestepEmbedding(nn.Module):
    def __init__(self, in_channels: int, dim: int):
        super().__init__()
        self.linear_1 = nn.Linear(in_channels, dim)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_2(F.silu(self.linear_1(x)))


class DownBlock(nn.Module):
    """CrossAttnDownBlock2D (with attentions) or DownBlock2D (without)."""

    def __init__(self, cfg: UNetConfig, cin: int, cout: int, temb: int, attn: bool, down: bool):
        super().__init__()
        g, e = cfg.norm_num_groups, cfg.norm_eps
        self.resnets = nn.ModuleList(
            [ResnetBlock2D(cin if j == 0 else cout, cout, temb, g, e) for j in range(cfg.layers_per_block)]
        )
        if attn:
            self.attentions = nn.ModuleList(
                [Transformer2DModel(cout, cfg.heads, cfg.cross_attention_dim, g, cfg.attention_mode)
                 for _ in range(cfg.layers_per_block)]
            )
        else:
            self.attentions = None
        self.downsamplers = nn.ModuleList([Downsample2D(cout)]) if down else None

    def forward(self, x, temb, context) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        skips = []
        for j, resnet in enumerate(self.resnets):
            x = resnet(x, temb)
            if self.attentions is not None:
                x = self.attentions[j](x, context)
            skips.append(x)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
            skips.append(x)
        return x, skips


class UpBlock(nn.Module):
    """CrossAttnUpBlock2D / UpBlock2D: layers_per_block + 1 resnets, each eating one skip."""

    def __init__(self, cfg: UNetConfig, cin: int, cout: int, prev: int, temb: int, attn: bool, up: bool):
        super().__init__()
        g, e = cfg.norm_num_groups, cfg.norm_eps
        n = cfg.layers_per_block + 1
        resnets = []
        for j in range(n):
            skip_ch = cin if j == n - 1 else cout
            res_in = prev if j == 0 else cout
            resnets.append(ResnetBlock2D(res_in + skip_ch, cout, temb, g, e))
        self.resnets = nn.ModuleList(resnets)
        if attn:
            self.attentions = nn.ModuleList(
                [Transformer2DModel(cout, cfg.heads, cfg.cross_attention_dim, g, cfg.attention_mode)
                 for _ in range(n)]
            )
        else:
            self.attentions = None
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if up else None

    def forward(self, x, skips: List[torch.Tensor], temb, context) -> torch.Tensor:
        for j, resnet in enumerate(self.resnets):
            x = torch.cat([x, skips.pop()], dim=1)
            x = resnet(x, temb)
            if self.attentions is not None:
                x = self.attentions[j](x, context)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class MidBlock(nn.Module):
    """UNetMidBlock2DCrossAttn: resnet, transformer, resnet at the lowest resolution."""

    def __init__(self, cfg: UNetConfig, ch: int, temb: int):
        super().__init__()
        g, e = cfg.norm_num_groups, cfg.norm_eps
        self.resnets = nn.ModuleList([ResnetBlock2D(ch, ch, temb, g, e), ResnetBlock2D(ch, ch, temb, g, e)])
        self.attentions = nn.ModuleList(
            [Transformer2DModel(ch, cfg.heads, cfg.cross_attention_dim, g, cfg.attention_mode)]
        )

    def forward(self, x, temb, context):
        x = self.resnets[0](x, temb)
        x = self.attentions[0](x, context)
        return self.resnets[1](x, temb)


class UNet2DConditionModel(nn.Module):
    def __init__(self, cfg: UNetConfig):
        super().__init__()
        self.config = cfg
        boc = cfg.block_out_channels
        n = len(boc)
        temb = boc[0] * 4
        self.conv_in = nn.Conv2d(cfg.in_channels, boc[0], 3, padding=1)
        self.time_proj = Timesteps(boc[0])
        self.time_embedding = TimestepEmbedding(boc[0], temb)

        self.down_blocks = nn.ModuleList()
        cout = boc[0]
        for i in range(n):
            cin, cout = cout, boc[i]
            self.down_blocks.append(DownBlock(cfg, cin, cout, temb, cfg.attention_levels[i], i < n - 1))

        self.mid_block = MidBlock(cfg, boc[-1], temb)

        self.up_blocks = nn.ModuleList()
        rev = list(reversed(boc))
        rev_attn = list(reversed(cfg.attention_levels))
        cout = rev[0]
        for i in range(n):
            prev, cout = cout, rev[i]
            cin = rev[min(i + 1, n - 1)]
            self.up_blocks.append(UpBlock(cfg, cin, cout, prev, temb, rev_attn[i], i < n - 1))

        self.conv_norm_out = nn.GroupNorm(cfg.norm_num_groups, boc[0], eps=cfg.norm_eps)
        self.conv_out = nn.Conv2d(boc[0], cfg.out_channels, 3, padding=1)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor,
                encoder_hidden_states: torch.Tensor) -> torch.Tensor:
        # `timestep` is a float scalar (as the toy pack and diffusers' pipelines pass it);
        # broadcast it over the batch like diffusers does.
        t = timestep.reshape(-1).to(torch.float32).expand(sample.shape[0])
        temb = self.time_embedding(self.time_proj(t))

        x = self.conv_in(sample)
        skips = [x]
        for block in self.down_blocks:
            x, s = block(x, temb, encoder_hidden_states)
            skips.extend(s)
        x = self.mid_block(x, temb, encoder_hidden_states)
        for block in self.up_blocks:
            x = block(x, skips, temb, encoder_hidden_states)
        return self.conv_out(F.silu(self.conv_norm_out(x)))

    def attention_layers(self) -> List[Tuple[str, nn.Module]]:
        """(qualified name, CrossAttention) of every attn1/attn2, in forward order."""
        return [(n, m) for n, m in self.named_modules() if n.endswith((".attn1", ".attn2"))]
