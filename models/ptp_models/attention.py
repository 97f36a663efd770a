"""UNet attention (diffusers `CrossAttention`/`Attention` names: to_q, to_k, to_v, to_out.0).

Two ways of writing the same maths, chosen per model because the project's ONNX patcher must
recognise both patterns in exported UNets:

- "folded" (diffusers 0.3 `CrossAttention`): heads folded into the batch, batch-major
  ([B*heads, S, d], row b*heads + h). torch 1.13 exports
      MatMul(q, Transpose(k)) -> Mul(scale) -> Softmax -> MatMul(P, v)
  with node names such as `/down_blocks.0/attentions.0/transformer_blocks.0/attn1/Softmax`.
- "sdpa": torch 2's `scaled_dot_product_attention` as its ONNX exporter decomposes it, heads
  kept apart ([B, heads, S, d]): scale = 1/sqrt(d) computed from Shape(q), then
      Mul(q, Sqrt(scale)), Mul(Transpose(k), Sqrt(scale)) -> MatMul -> Softmax -> MatMul.
  torch 1.13 has no SDPA, so we write those ops out by hand.

Both modes use the same parameters, so one state dict serves both.
"""
from __future__ import annotations

import torch
from torch import nn

ATTENTION_MODES = ("folded", "sdpa")


class CrossAttention(nn.Module):
    def __init__(self, query_dim: int, context_dim: int | None = None, heads: int = 8,
                 dim_head: int = 64, mode: str = "folded"):
        super().__init__()
        if mode not in ATTENTION_MODES:
            raise ValueError(f"attention mode must be one of {ATTENTION_MODES}, got {mode!r}")
        inner = heads * dim_head
        context_dim = context_dim if context_dim is not None else query_dim
        self.heads = heads
        self.scale = dim_head ** -0.5
        self.mode = mode
        # No bias on q/k/v, bias on the output projection: as SD's attention layers.
        self.to_q = nn.Linear(query_dim, inner, bias=False)
        self.to_k = nn.Linear(context_dim, inner, bias=False)
        self.to_v = nn.Linear(context_dim, inner, bias=False)
        # ModuleList so the export names the projection `to_out.0` (index 1 is dropout upstream).
        self.to_out = nn.ModuleList([nn.Linear(inner, query_dim), nn.Dropout(0.0)])
        # Training only (train_scenes.py --ground): a list that receives each call's head-averaged
        # probabilities [B, Q, K]. None (the default, and in every export) records nothing.
        self.capture: list | None = None

    def forward(self, hidden_states: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        context = hidden_states if context is None else context
        q = self.to_q(hidden_states)
        k = self.to_k(context)
        v = self.to_v(context)
        if self.mode == "folded":
            out = self._folded(q, k, v)
        else:
            out = self._sdpa(q, k, v)
        return self.to_out[1](self.to_out[0](out))

    # -- diffusers 0.3 layout -------------------------------------------------------------
    def _heads_to_batch(self, t: torch.Tensor) -> torch.Tensor:
        b, s, dim = t.shape
        h = self.heads
        t = t.reshape(b, s, h, dim // h)
        return t.permute(0, 2, 1, 3).reshape(b * h, s, dim // h)

    def _batch_to_heads(self, t: torch.Tensor) -> torch.Tensor:
        bh, s, d = t.shape
        h = self.heads
        t = t.reshape(bh // h, h, s, d)
        return t.permute(0, 2, 1, 3).reshape(bh // h, s, d * h)

    def _folded(self, q, k, v):
        q, k, v = self._heads_to_batch(q), self._heads_to_batch(k), self._heads_to_batch(v)
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        probs = scores.softmax(dim=-1)  # [B*heads, Q, K]: the node the patcher hooks
        if self.capture is not None:
            self.capture.append(probs.reshape(-1, self.heads, *probs.shape[1:]).mean(1))
        return self._batch_to_heads(torch.matmul(probs, v))

    # -- torch 2 SDPA decomposition -------------------------------------------------------
    def _sdpa(self, q, k, v):
        b = q.shape[0]
        h = self.heads
        d = q.shape[-1] // h
        q = q.view(b, -1, h, d).transpose(1, 2)  # [B, heads, Q, d]
        k = k.view(b, -1, h, d).transpose(1, 2)
        v = v.view(b, -1, h, d).transpose(1, 2)
        # torch's symbolic: scale = 1 / Sqrt(Cast(Shape(q)[-1:])), applied as Sqrt(scale) twice.
        emb = torch._shape_as_tensor(q)[-1:].to(q.dtype)
        scale = torch.ones(1, dtype=q.dtype) / torch.sqrt(emb)
        sqrt_scale = torch.sqrt(scale)
        scores = torch.matmul(q * sqrt_scale, k.transpose(-2, -1) * sqrt_scale)
        probs = scores.softmax(dim=-1)  # [B, heads, Q, K]
        if self.capture is not None:
            self.capture.append(probs.mean(1))
        out = torch.matmul(probs, v)
        return out.transpose(1, 2).reshape(b, -1, h * d)
