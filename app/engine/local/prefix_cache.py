"""A policy prefix's KV state saved from, and restored into, a llama.cpp context.

The engine's child process asks for a saved state before it evaluates a policy prefix
(``restore``) and saves one after a case whose prefix it had to evaluate has sent its result
(``save``), so saving never delays a result. The files and their checks live in
:mod:`app.engine.local.prefix_store`; this module knows the llama.cpp calls and what goes
into the key.
"""

from __future__ import annotations

import ctypes
import logging
import time
from dataclasses import dataclass

import llama_cpp

from app.core.fingerprint import model_fingerprint, template_hash
from app.engine.local.prefix_store import PrefixKey, PrefixStore, tokens_hash

log = logging.getLogger(__name__)

LLAMA_BUILD = f"llama-cpp-python {llama_cpp.__version__}"


@dataclass(frozen=True)
class Prompt:
    """A request's prompt tokens and where its policy prefix ends."""

    tokens: list[int]
    prefix: int  # tokens before the case's content: the same for every case of a policy
    renderer: str  # the renderer actually used
    date: str | None


@dataclass
class PrefixStats:
    """What the last restore did, for the benchmark."""

    read_ms: float = 0.0
    restore_ms: float = 0.0
    bytes: int = 0


class PrefixCache:
    """Saves and restores prefix states for one loaded model."""

    def __init__(
        self,
        store: PrefixStore | None,
        model_path: str,
        n_ctx: int,
        context_params,
        n_gpu_layers: int,
        template: str | None,
    ) -> None:
        self.store = store
        self._model = model_fingerprint(model_path).digest
        self._n_ctx = n_ctx
        self._type_k = int(context_params.type_k)
        self._type_v = int(context_params.type_v)
        self._swa_full = bool(context_params.swa_full)
        self._flash_attn = int(context_params.flash_attn_type)
        self._gpu_layers = n_gpu_layers
        self._template = template
        self.stats = PrefixStats()

    def key(self, prompt: Prompt) -> PrefixKey | None:
        """The key of prompt's policy prefix; None when the store is off."""
        if self.store is None or not self.store.enabled or prompt.prefix <= 0:
            return None
        prefix = prompt.tokens[: prompt.prefix]
        return PrefixKey(
            model=self._model,
            llama=LLAMA_BUILD,
            n_ctx=self._n_ctx,
            type_k=self._type_k,
            type_v=self._type_v,
            swa_full=self._swa_full,
            flash_attn=self._flash_attn,
            n_gpu_layers=self._gpu_layers,
            template=template_hash(self._template, prompt.renderer),
            renderer=prompt.renderer,
            date=prompt.date,
            n_tokens=len(prefix),
            tokens=tokens_hash(prefix),
        )

    def restore(self, ctx, seq: int, key: PrefixKey | None) -> bool:
        """Load key's saved state into sequence seq of ctx (emptied first); False when
        there is none or llama.cpp refused it (then the sequence is empty)."""
        if key is None:
            return False
        started = time.perf_counter()
        payload = self.store.load(key)
        if payload is None:
            return False
        memory = llama_cpp.llama_get_memory(ctx)
        llama_cpp.llama_memory_seq_rm(memory, seq, -1, -1)
        buffer = (ctypes.c_uint8 * len(payload)).from_buffer_copy(payload)
        read = llama_cpp.llama_state_seq_set_data(ctx, buffer, len(payload), seq)
        if read == 0:
            llama_cpp.llama_memory_seq_rm(memory, seq, -1, -1)
            self.store.reject(self.store.path(key), "llama.cpp refused the state")
            return False
        self.stats = PrefixStats(
            read_ms=self.store.last_read_ms,
            restore_ms=(time.perf_counter() - started) * 1000,
            bytes=len(payload),
        )
        return True

    def save(self, ctx, seq: int, key: PrefixKey | None) -> None:
        """Save sequence seq of ctx, which must hold exactly key's prefix."""
        if key is None:
            return
        size = llama_cpp.llama_state_seq_get_size(ctx, seq)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, seq)
        if written == 0:
            log.warning("llama.cpp gave no state for the policy prefix; it was not saved.")
            return
        self.store.save(key, bytes(memoryview(buffer)[:written]))
