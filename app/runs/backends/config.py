"""Which backend a run uses, how its engine is built, and what identifies its model.

:class:`BackendConfig` is everything the window's settings or the CLI's options say about
where the model runs. :func:`build_engine` is the one place an engine is built: the local
llama.cpp engine always behind a :class:`~app.engine.lazy.LazyEngine` (so a fully cached
run never loads 12 GB of weights), or the remote engine for an OpenAI-compatible server.

:func:`model_identity` is the one definition of the model part of the result-cache key
and of a run's history: a local GGUF's fingerprint, or ``remote:{base_url}#{model}`` with
the model the server actually serves (as its ``load()`` found out), so a remote ``eval``
and a remote window run of the same suite share their cache and their history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.core import setting_limits as limits
from app.core.fingerprint import ModelFingerprint, model_fingerprint, template_hash
from app.core.run_types import EngineSettings, LoadFacts, RunSettings
from app.core.settings_check import check_settings
from app.engine.local.prefix_store import DEFAULT_BUDGET
from app.engine.protocol import Engine, has_prefix_budget
from app.engine.remote.engine import RemoteConfig

BACKENDS = ("local", "remote")


@dataclass(frozen=True)
class BackendConfig:
    """Where the model runs. Two equal configs can share one engine."""

    kind: str = "local"  # "local" (llama.cpp here) or "remote" (an OpenAI-compatible server)
    engine: EngineSettings = field(default_factory=EngineSettings)
    remote: RemoteConfig = field(default_factory=RemoteConfig)
    concurrency: int = (
        limits.CONCURRENCY.default
    )  # requests in flight (remote) or sequences decoded together (local)
    prefix_budget: int = DEFAULT_BUDGET  # bytes of saved policy prefixes (local); 0: off

    def same_engine(self, other: BackendConfig | None) -> bool:
        """True when ``other`` can use this config's engine (concurrency and the prefix
        budget aside: :func:`apply_prefix_budget` changes that on a running engine)."""
        if other is None or other.kind != self.kind:
            return False
        if self.kind == "remote":
            return other.remote == self.remote
        return other.engine == self.engine

    def describe(self) -> str:
        """'tiny.gguf' or 'server http://host:8080' for messages and the status bar."""
        if self.kind == "remote":
            return f"server {self.remote.base_url}"
        return Path(self.engine.model_path).name or "no model"


def check_backend(config: BackendConfig, run: RunSettings) -> None:
    """Every setting of a run checked before anything loads (``check_settings``), against
    the local model file's header: its trained context and the memory a context needs.
    Raises a SettingsError sentence. A file that cannot be read is left to the engine's
    load, which says what is wrong with it."""
    if config.kind != "local":
        check_settings(run)
        return
    from app.core.errors import EngineError
    from app.library.memory import estimate_memory
    from app.library.modelfile import inspect_model

    try:
        info = inspect_model(config.engine.model_path)
    except EngineError:
        check_settings(run, config.engine)
        return
    check_settings(
        run, config.engine, model_context=info.context_length,
        describe_memory=lambda n_ctx: estimate_memory(info, n_ctx).describe(),
    )  # fmt: skip


def build_engine(config: BackendConfig, *, lazy: bool = True) -> Engine:
    """The engine ``config`` asks for (not loaded yet); imports are lazy so the window
    opens without loading llama.cpp. ``lazy=False`` gives the local engine bare, for what
    needs the real load's facts (the model self-check)."""
    if config.kind == "remote":
        from app.engine.remote.engine import RemoteEngine

        return RemoteEngine(config.remote)
    from app.engine.lazy import LazyEngine
    from app.engine.local.engine import LocalEngine

    local = LocalEngine(prefix_budget=config.prefix_budget)
    return LazyEngine(local) if lazy else local


def apply_prefix_budget(engine: Engine, budget: int) -> None:
    """Give a local engine (bare or lazy) a new budget for saved policy prefixes."""
    if has_prefix_budget(engine):
        engine.set_prefix_budget(budget)


def model_identity(config: BackendConfig, facts: LoadFacts) -> ModelFingerprint | str:
    """What the result cache and the history key a run's model on (see the module notes)."""
    if config.kind == "remote" or facts.backend == "remote":
        base = (facts.base_url or config.remote.base_url).rstrip("/")
        return f"remote:{base}#{facts.model or config.remote.model}"
    path = config.engine.model_path
    if path and Path(path).is_file():
        return model_fingerprint(path)
    return facts.model or path or "model"


def template_key(facts: LoadFacts, renderer: str) -> str:
    """The template part of the cache key: the template that renders the prompt."""
    return template_hash(facts.chat_template, renderer)


def recorded_model(identity: ModelFingerprint | str) -> str:
    """The model name a run records in the history (the file name, or the remote key)."""
    return identity.name if isinstance(identity, ModelFingerprint) else str(identity)


def model_filter(config: BackendConfig) -> str:
    """What runs of ``config``'s model are recorded under, for finding them again: the
    file name, ``remote:URL#model``, or ``remote:URL#`` (any model of that server, when
    the server's only model is used); '' matches any."""
    if config.kind == "remote":
        return f"remote:{config.remote.base_url.rstrip('/')}#{config.remote.model}"
    return Path(config.engine.model_path).name if config.engine.model_path else ""


def model_matches(run_model: str, wanted: str) -> bool:
    """Whether a run recorded under ``run_model`` is one of :func:`model_filter`'s."""
    if not wanted:
        return True
    return run_model == wanted or (wanted.endswith("#") and run_model.startswith(wanted))
