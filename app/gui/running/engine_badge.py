"""A status-bar badge: where the model runs and how fast it ran last.

``set_load_info(info)`` takes the dict an engine's ``load()`` returned: the local engine
gives ``n_gpu_layers`` (-1 all, 0 CPU), ``gpu_offload`` and ``placement`` (the sentence
about GPU layers or the CPU fallback); the remote engine gives ``backend: "remote"``,
``base_url`` and ``api``. An optional ``backend`` name (CUDA, Metal...) from the hardware
snapshot makes the local text precise. ``set_result(result)`` takes a ``ClassifyResult`` and
shows prompt and generation speed from its ``TokenCounts`` and ``Timings``.

The formatting lives in plain functions (``placement_text``, ``speed_text``) so it is
tested without a window; the label shows plain text only.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QWidget

from app.core.run_types import ClassifyResult, LoadFacts, Timings, TokenCounts


def _rate(tokens: int, ms: float) -> float | None:
    return tokens / (ms / 1000.0) if tokens > 0 and ms > 0 else None


def _fmt_rate(rate: float) -> str:
    return f"{rate:.0f}" if rate >= 100 else f"{rate:.1f}"


def speed_text(tokens: TokenCounts, timings: Timings) -> str:
    """'prompt 812 tok/s · gen 41.5 tok/s'; 'prompt cached' when nothing was evaluated."""
    parts = []
    prompt = _rate(tokens.evaluated, timings.prompt_ms)
    if prompt is not None:
        parts.append(f"prompt {_fmt_rate(prompt)} tok/s")
    elif tokens.prompt and tokens.reused >= tokens.prompt - 1:
        parts.append("prompt cached")
    gen = _rate(tokens.generated, timings.generate_ms)
    if gen is not None:
        parts.append(f"gen {_fmt_rate(gen)} tok/s")
    return " · ".join(parts)


def speed_tooltip(tokens: TokenCounts, timings: Timings) -> str:
    return (
        f"Last case: {tokens.prompt:,} prompt tokens ({tokens.reused:,} reused from the cache, "
        f"{tokens.evaluated:,} evaluated in {timings.prompt_ms:,.0f} ms), "
        f"{tokens.generated:,} generated in {timings.generate_ms:,.0f} ms."
    )


def placement_text(info: LoadFacts, backend: str | None = None) -> str:
    """'GPU (CUDA), all layers', 'GPU, 12 layers + CPU', 'CPU', 'server 10.0.0.5:8000'."""
    if info.backend == "remote":
        host = urlsplit(info.base_url).netloc or info.base_url
        return f"server {host}" if host else "server"
    layers = info.n_gpu_layers
    if not info.gpu_offload or layers in (0, None):
        failed = "failed" in info.placement.lower()
        return "CPU (GPU load failed)" if failed else "CPU"
    gpu = f"GPU ({backend})" if backend and backend not in ("CPU", "GPU") else "GPU"
    return f"{gpu}, all layers" if layers == -1 else f"{gpu}, {layers} layers + CPU"


def placement_tooltip(info: LoadFacts) -> str:
    if info.backend == "remote":
        safe = "injection-safe" if info.injection_safe else "server-rendered prompts"
        return f"{info.base_url} · {info.api} API ({safe}) · model {info.model}"
    note = info.placement.strip()
    model = info.model
    return " — ".join(part for part in (model, note) if part)


def describe_model(facts: LoadFacts | None, fallback: str = "") -> str:
    """'name · where' for the status bar, from what the engine's load found out."""
    if facts is None:
        return fallback
    name = facts.model or fallback or "model"
    if facts.backend == "remote":
        return f"{name} · server"
    if facts.lazy:
        return name
    layers = facts.n_gpu_layers
    where = "CPU" if not layers else ("GPU" if layers == -1 else f"GPU ({layers} layers)")
    return f"{name} · {where}"


class EngineBadge(QLabel):
    """'GPU (CUDA), all layers · prompt 812 tok/s · gen 41.5 tok/s' in the status bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("engineBadge")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._where = ""
        self._where_tip = ""
        self._speed = ""
        self._speed_tip = ""
        self._refresh()

    @Slot(object)
    def set_load_info(self, info: LoadFacts, backend: str | None = None) -> None:
        """Where the model runs, from what the engine's load found out."""
        self._where = placement_text(info, backend)
        self._where_tip = placement_tooltip(info)
        self._speed = self._speed_tip = ""
        self._refresh()

    @Slot(object)
    def set_result(self, result: ClassifyResult) -> None:
        """How fast the last case ran."""
        self._speed = speed_text(result.tokens, result.timings)
        self._speed_tip = speed_tooltip(result.tokens, result.timings)
        self._refresh()

    @Slot()
    def clear(self) -> None:
        self._where = self._where_tip = self._speed = self._speed_tip = ""
        self._refresh()

    def _refresh(self) -> None:
        parts = [part for part in (self._where, self._speed) if part]
        self.setText(" · ".join(parts))
        self.setToolTip("\n".join(tip for tip in (self._where_tip, self._speed_tip) if tip))
        self.setVisible(bool(parts))
