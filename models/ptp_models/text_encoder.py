"""A CLIP-like text encoder with transformers' `CLIPTextModel` module names and maths.

input_ids [B, L] int64 (L = 77) -> last_hidden_state [B, L, D], pooler_output [B, D] (the final
hidden state at the EOS position, found as argmax of the ids, exactly as CLIP: EOS is the
largest id in both the full and the reduced vocabularies).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class TextConfig:
    vocab_size: int = 49408
    hidden_size: int = 768
    intermediate_size: int = 3072
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    max_position_embeddings: int = 77
    layer_norm_eps: float = 1e-5

    def transformers_config(self) -> dict:
        return {
            "architectures": ["CLIPTextModel"],
            "model_type": "clip_text_model",
            "vocab_size": self.vocab_size,
            "hidden_size": self.hidden_size,
            "intermediate_size": self.intermediate_size,
            "num_hidden_layers": self.num_hidden_layers,
            "num_attention_heads": self.num_attention_heads,
            "max_position_embeddings": self.max_position_embeddings,
            "hidden_act": "quick_gelu",
            "layer_norm_eps": self.layer_norm_eps,
            "bos_token_id": self.vocab_size - 2,
            "eos_token_id": self.vocab_size - 1,
            "pad_token_id": self.vocab_size - 1,
        }


class CLIPTextEmbeddings(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.token_embedding = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.position_embedding = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        self.register_buffer(
            "position_ids", torch.arange(cfg.max_position_embeddings)[None, :], persistent=False
        )

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        pos = self.position_ids[:, : input_ids.shape[1]]
        return self.token_embedding(input_ids) + self.position_embedding(pos)


class CLIPAttention(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        d = cfg.hidden_size
        self.heads = cfg.num_attention_heads
        self.scale = (d // self.heads) ** -0.5
        self.q_proj = nn.Linear(d, d)
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, x: torch.Tensor, causal_mask: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        h = self.heads

        def split(t):  # [B, L, D] -> [B, heads, L, d]
            return t.reshape(b, n, h, d // h).transpose(1, 2)

        q, k, v = split(self.q_proj(x) * self.scale), split(self.k_proj(x)), split(self.v_proj(x))
        p = (torch.matmul(q, k.transpose(-1, -2)) + causal_mask).softmax(dim=-1)
        out = torch.matmul(p, v).transpose(1, 2).reshape(b, n, d)
        return self.out_proj(out)


class CLIPMLP(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.fc1 = nn.Linear(cfg.hidden_size, cfg.intermediate_size)
        self.fc2 = nn.Linear(cfg.intermediate_size, cfg.hidden_size)

    def forward(self, x):
        x = self.fc1(x)
        return self.fc2(x * torch.sigmoid(1.702 * x))  # quick_gelu, as CLIP


class CLIPEncoderLayer(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.self_attn = CLIPAttention(cfg)
        self.layer_norm1 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.mlp = CLIPMLP(cfg)
        self.layer_norm2 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def forward(self, x, causal_mask):
        x = x + self.self_attn(self.layer_norm1(x), causal_mask)
        return x + self.mlp(self.layer_norm2(x))


class CLIPEncoder(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.layers = nn.ModuleList([CLIPEncoderLayer(cfg) for _ in range(cfg.num_hidden_layers)])

    def forward(self, x, causal_mask):
        for layer in self.layers:
            x = layer(x, causal_mask)
        return x


class CLIPTextTransformer(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.embeddings = CLIPTextEmbeddings(cfg)
        self.encoder = CLIPEncoder(cfg)
        self.final_layer_norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        # Causal mask as a constant sliced to the sequence length: avoids Trilu, which not every
        # onnxruntime execution provider implements. -1e9 rather than -inf keeps fp16 casts sane.
        n = cfg.max_position_embeddings
        mask = torch.triu(torch.full((n, n), -1e9), diagonal=1)
        self.register_buffer("causal_mask", mask, persistent=False)

    def forward(self, input_ids: torch.Tensor):
        n = input_ids.shape[1]
        x = self.embeddings(input_ids)
        last = self.final_layer_norm(self.encoder(x, self.causal_mask[:n, :n]))
        eos = input_ids.to(torch.int32).argmax(dim=-1)
        pooled = last[torch.arange(last.shape[0]), eos]
        return last, pooled


class CLIPTextModel(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.config = cfg
        self.text_model = CLIPTextTransformer(cfg)

    def forward(self, input_ids: torch.Tensor):
        return self.text_model(input_ids)
