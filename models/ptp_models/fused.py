"""Rewrite a torch-exported UNet so its attention looks like onnxruntime's transformer optimizer
output (com.microsoft fused attention), for the patcher's refusal tests.

Per attention layer (scope `/.../attnX/`), the decomposed subgraph between the q/k/v projections
and `to_out.0` is replaced by one contrib node:
- attn1 (self): `com.microsoft.Attention(input, packed W_qkv [C, 3C], bias [3C])`, the form ORT
  uses when it packs the three projection weights (the to_q/to_k/to_v MatMuls disappear too);
- attn2 (cross): `com.microsoft.MultiHeadAttention(q, k, v)` on the projection outputs.
Both carry `num_heads`; their names keep the diffusers scope (`.../attn1/Attention`). No Softmax
survives, which is exactly why the patcher must refuse such a model.
"""
from __future__ import annotations

from typing import Dict, List

import numpy as np
import onnx
from onnx import helper, numpy_helper

MS_DOMAIN = "com.microsoft"


def _attention_scopes(graph) -> List[str]:
    """`/.../attn1/`-style scopes of the UNet's attention Softmax nodes, in graph order."""
    scopes = [n.name.rsplit("/", 1)[0] + "/" for n in graph.node if n.op_type == "Softmax"]
    return [s for s in scopes if s.endswith(("/attn1/", "/attn2/"))]


def fuse_attention(model: onnx.ModelProto, num_heads: int) -> onnx.ModelProto:
    g = model.graph
    by_name = {n.name: n for n in g.node}
    inits: Dict[str, onnx.TensorProto] = {t.name: t for t in g.initializer}
    replaced_outputs = {}  # attention output tensor -> fused node producing it
    for scope in _attention_scopes(g):
        q, k, v = (by_name[scope + p + "/MatMul"] for p in ("to_q", "to_k", "to_v"))
        out_proj = by_name[scope + "to_out.0/MatMul"]
        attn_out = out_proj.input[0]  # the head-merged attention result feeding to_out.0
        if scope.endswith("attn1/"):
            w = np.concatenate([numpy_helper.to_array(inits[n.input[1]]) for n in (q, k, v)], axis=1)
            wname, bname = scope[1:] + "qkv_weight", scope[1:] + "qkv_bias"
            g.initializer.extend([numpy_helper.from_array(w, wname),
                                  numpy_helper.from_array(np.zeros(w.shape[1], np.float32), bname)])
            node = helper.make_node("Attention", [q.input[0], wname, bname], [attn_out],
                                    name=scope + "Attention", domain=MS_DOMAIN, num_heads=num_heads)
        else:
            node = helper.make_node("MultiHeadAttention", [q.output[0], k.output[0], v.output[0]],
                                    [attn_out], name=scope + "MultiHeadAttention",
                                    domain=MS_DOMAIN, num_heads=num_heads)
        replaced_outputs[attn_out] = node
    # Rebuild the node list: drop the old producers of the fused outputs, put each fused node
    # where its output used to be produced, then remove everything that became dead.
    new_nodes = []
    for n in g.node:
        hit = [o for o in n.output if o in replaced_outputs]
        new_nodes.append(replaced_outputs[hit[0]] if hit else n)
    del g.node[:]
    g.node.extend(_live_nodes(new_nodes, [o.name for o in g.output]))
    used = {i for n in g.node for i in n.input}
    keep = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    if not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    del g.value_info[:]
    return model


def _live_nodes(nodes, graph_outputs: List[str]):
    needed = set(graph_outputs)
    live = []
    for n in reversed(nodes):
        if any(o in needed for o in n.output):
            live.append(n)
            needed.update(i for i in n.input if i)
    return list(reversed(live))
