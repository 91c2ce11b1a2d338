"""What parallel sequences can gain on this machine at most: llama.cpp's own decode steps.

Times, in one context like the batched engine's (a shared policy prefix in a unified KV
cache, flash attention as the engine uses it), ``steps`` decodes of one token in one
sequence against ``steps`` decodes of one token in each of ``n`` sequences. The ratio
``n x (one-token step) / (n-token step)`` is the speed-up of decoding alone, with no
sampling, no prompt evaluation and no Python around it: the ceiling the batched engine's
speed-up approaches as answers grow long. ``benchmarks.engine_bench`` prints it beside its
batching table, so a missed target can be told apart from a machine that cannot give more
(on a CPU whose single-sequence decode is bound by memory bandwidth, the 2nd thread helps
one sequence little and many sequences a lot; on two hyper-threads of one core, neither).
"""

from __future__ import annotations

import time

import llama_cpp

from app.core.run_types import ClassifyRequest, EngineSettings
from app.engine.harmony.prompt import render, tokenize_segments
from app.engine.local.llama_log import install_log_capture


def prompt_tokens(settings: EngineSettings, request: ClassifyRequest) -> list[int]:
    """request's prompt as the engine renders it (the model's template), from the vocabulary."""
    install_log_capture()
    llm = llama_cpp.Llama(model_path=settings.model_path, vocab_only=True, verbose=False)
    try:
        run = request.run
        segments, _ = render(
            "template", llm.metadata.get("tokenizer.chat_template"), request.policy,
            request.content, run.effort, run.date,
        )  # fmt: skip
        return tokenize_segments(
            segments, lambda text, special: llm.tokenize(text, add_bos=False, special=special)
        )
    finally:
        llm.close()


def _decode(ctx, batch, entries: list[tuple[int, int, int]]) -> None:
    for i, (token, position, seq) in enumerate(entries):
        batch.token[i], batch.pos[i], batch.n_seq_id[i] = token, position, 1
        batch.seq_id[i][0], batch.logits[i] = seq, True
    batch.n_tokens = len(entries)
    if llama_cpp.llama_decode(ctx, batch) != 0:
        raise RuntimeError("llama_decode failed")


def step_ratio(settings: EngineSettings, prefix: list[int], n: int, steps: int = 48) -> float:
    """n x (time of a one-token step) / (time of an n-token step), after ``prefix``."""
    install_log_capture()  # llama.cpp's load log stays out of the table
    llama_cpp.llama_backend_init()
    model_params = llama_cpp.llama_model_default_params()
    model_params.n_gpu_layers = (
        settings.n_gpu_layers if isinstance(settings.n_gpu_layers, int) else 0
    )
    model = llama_cpp.llama_model_load_from_file(settings.model_path.encode(), model_params)
    params = llama_cpp.llama_context_default_params()
    params.n_ctx = len(prefix) + n * (steps + 16) + 256
    params.n_batch = params.n_ubatch = 512
    params.n_seq_max = n
    params.kv_unified, params.swa_full = True, True
    params.flash_attn_type = (
        llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED
        if settings.flash_attn
        else llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
    )
    params.n_threads = params.n_threads_batch = settings.n_threads or 1
    ctx = llama_cpp.llama_init_from_model(model, params)
    batch = llama_cpp.llama_batch_init(512, 0, 1)
    try:
        memory = llama_cpp.llama_get_memory(ctx)
        for at in range(0, len(prefix), 512):
            chunk = range(at, min(len(prefix), at + 512))
            for i, position in enumerate(chunk):
                batch.token[i], batch.pos[i], batch.n_seq_id[i] = prefix[position], position, 1
                batch.seq_id[i][0], batch.logits[i] = 0, False
            batch.n_tokens = len(chunk)
            llama_cpp.llama_decode(ctx, batch)
        for seq in range(1, n):
            llama_cpp.llama_memory_seq_cp(memory, 0, seq, 0, len(prefix))
        start = len(prefix)
        timings = {}
        for width in (1, n):  # each from the prefix; tokens vary, as the experts they reach do
            for seq in range(n):
                llama_cpp.llama_memory_seq_rm(memory, seq, start, -1)
            began = time.perf_counter()
            for k in range(steps):
                entries = [(prefix[(k * n + seq) % start], start + k, seq) for seq in range(width)]
                _decode(ctx, batch, entries)
            timings[width] = time.perf_counter() - began
        return n * timings[1] / timings[n]
    finally:
        llama_cpp.llama_batch_free(batch)
        llama_cpp.llama_free(ctx)
        llama_cpp.llama_model_free(model)


def attainable(prompt_ms: float, generate_ms: float, ceiling: float) -> float:
    """The best suite speed-up the ceiling allows: prompts cost what they cost one at a time
    (evaluation is already batched within a prompt), generation is at most ``ceiling`` x
    faster (Amdahl)."""
    return (prompt_ms + generate_ms) / (prompt_ms + generate_ms / ceiling)
