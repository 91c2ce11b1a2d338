"""Sizes of the synthetic gpt-oss models and the tensors each one holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gguf import GGMLQuantizationType

from tests.support.vocab import Vocab, build_vocab

F32 = GGMLQuantizationType.F32
F16 = GGMLQuantizationType.F16
Q8_0 = GGMLQuantizationType.Q8_0


@dataclass(frozen=True)
class ModelSpec:
    """Hyper-parameters of one synthetic model size."""

    n_layer: int
    n_embd: int
    n_head: int
    n_head_kv: int
    head_dim: int
    n_expert: int
    n_expert_used: int
    n_ff_exp: int
    n_merges: int
    min_merge_count: int
    vocab_size: int | None  # None: just bytes + merges + specials
    matrix_type: GGMLQuantizationType  # attention projections
    expert_type: GGMLQuantizationType  # expert matrices, token embedding and output


SPECS: dict[str, ModelSpec] = {
    # ~0.2M weights, well under 1 MB: for every engine test.
    "tiny": ModelSpec(
        n_layer=2,
        n_embd=64,
        n_head=4,
        n_head_kv=2,
        head_dim=16,
        n_expert=4,
        n_expert_used=2,
        n_ff_exp=64,
        n_merges=400,
        min_merge_count=2,
        vocab_size=None,
        matrix_type=F32,
        expert_type=F32,
    ),
    # ~190M weights, ~210 MB: for benchmarks (the real model has 24 layers, 2880 wide,
    # 32 experts with 4 active, 64 query heads and 8 KV heads of 64, a 201k vocabulary).
    "medium": ModelSpec(
        n_layer=12,
        n_embd=512,
        n_head=8,
        n_head_kv=2,
        head_dim=64,
        n_expert=8,
        n_expert_used=4,
        n_ff_exp=1024,
        n_merges=12000,
        min_merge_count=1,
        vocab_size=32000,
        matrix_type=F16,
        expert_type=Q8_0,
    ),
}


@dataclass(frozen=True)
class TensorPlan:
    """One tensor to write: name, shape in ggml order (numpy's reversed), type and init."""

    name: str
    shape: tuple[int, ...]
    qtype: GGMLQuantizationType
    init: Literal["random", "ones"] = "random"


def vocab_for(spec: ModelSpec) -> Vocab:
    """Return the (cached) vocabulary of a model size."""
    return build_vocab(spec.n_merges, spec.vocab_size, spec.min_merge_count)


def plan_tensors(spec: ModelSpec, n_vocab: int) -> list[TensorPlan]:
    """List every tensor llama.cpp's gpt-oss loader expects, in writing order."""
    e, x, f = spec.n_embd, spec.n_expert, spec.n_ff_exp
    q_dim = spec.n_head * spec.head_dim
    kv_dim = spec.n_head_kv * spec.head_dim
    mat, exp = spec.matrix_type, spec.expert_type
    plans = [TensorPlan("token_embd.weight", (e, n_vocab), exp)]
    for i in range(spec.n_layer):
        b = f"blk.{i}."
        plans += [
            TensorPlan(b + "attn_norm.weight", (e,), F32, "ones"),
            TensorPlan(b + "attn_q.weight", (e, q_dim), mat),
            TensorPlan(b + "attn_q.bias", (q_dim,), F32),
            TensorPlan(b + "attn_k.weight", (e, kv_dim), mat),
            TensorPlan(b + "attn_k.bias", (kv_dim,), F32),
            TensorPlan(b + "attn_v.weight", (e, kv_dim), mat),
            TensorPlan(b + "attn_v.bias", (kv_dim,), F32),
            TensorPlan(b + "attn_output.weight", (q_dim, e), mat),
            TensorPlan(b + "attn_output.bias", (e,), F32),
            TensorPlan(b + "attn_sinks.weight", (spec.n_head,), F32),
            TensorPlan(b + "post_attention_norm.weight", (e,), F32, "ones"),
            TensorPlan(b + "ffn_gate_inp.weight", (e, x), F32),
            TensorPlan(b + "ffn_gate_inp.bias", (x,), F32),
            TensorPlan(b + "ffn_gate_exps.weight", (e, f, x), exp),
            TensorPlan(b + "ffn_gate_exps.bias", (f, x), F32),
            TensorPlan(b + "ffn_up_exps.weight", (e, f, x), exp),
            TensorPlan(b + "ffn_up_exps.bias", (f, x), F32),
            TensorPlan(b + "ffn_down_exps.weight", (f, e, x), exp),
            TensorPlan(b + "ffn_down_exps.bias", (e, x), F32),
        ]
    plans += [
        TensorPlan("output_norm.weight", (e,), F32, "ones"),
        TensorPlan("output.weight", (e, n_vocab), exp),
    ]
    return plans
