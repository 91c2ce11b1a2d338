"""Off-GUI-thread jobs of the backend settings page: test a remote server, save an API key.

``test_connection`` runs :func:`probe_server` (a remote engine's ``load()``: lists the
served models, checks the model name and the key, detects the API) on the app's task runner
and answers with ``connectionTested(ok, sentence)``. ``save_key`` runs :func:`save_key_now`
there too and answers with ``keySaved(ok, sentence)``. The key is passed through and never
kept.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from app.core.run_types import LoadFacts
from app.engine.remote import HttpError, RemoteConfig, server_root, store_api_key
from app.gui.shared.tasks import TaskRunner
from app.runs.backends.config import BackendConfig, build_engine

PROBE_CONNECT_TIMEOUT = 5.0
PROBE_READ_TIMEOUT = 15.0
PROBE_DEADLINE = 30.0  # the whole probe: a server dripping bytes cannot keep it waiting
_API_TEXT = {
    "llama-server": "llama-server: prompts are tokenized safely",
    "llama-cpp-python": "llama_cpp.server: prompts are checked before sending",
    "chat": (
        "chat API: the server renders the prompt itself, so text in cases cannot be "
        "guaranteed to stay text; llama-server is the injection-safe choice"
    ),
}


def describe_connection(info: LoadFacts) -> str:
    """One sentence about a server that answered ``load()``."""
    ctx = f", context {info.n_ctx:,} tokens" if info.n_ctx else ""
    api = _API_TEXT.get(info.api, info.api)
    key = info.api_key_source or "none"
    key_text = "no API key" if key.startswith("none") else f"API key from {key}"
    return f"Connected to {info.base_url}: model {info.model!r}{ctx}, {key_text} ({api})."


def probe_server(config: RemoteConfig) -> tuple[bool, str]:
    """Load a remote engine once (lists the models, checks the name and the key, detects
    the API): (ok, one sentence). Runs on a pool thread."""
    engine = None
    try:
        backend = BackendConfig(kind="remote", remote=config)
        engine = build_engine(backend)
        info = engine.load(backend.engine)
    except Exception as exc:  # EngineError and HttpError carry the sentence
        text = str(exc).strip() or type(exc).__name__
        if not text.endswith("."):
            text += "; check the base URL."
        return False, text
    finally:
        if engine is not None:
            engine.close()
    return True, describe_connection(info)


def save_key_now(base_url: str, key: str) -> tuple[bool, str]:
    """Write ``key`` to the system keyring (which may prompt or talk to a daemon)."""
    try:
        store_api_key(base_url, key)
    except HttpError as exc:  # the keyring package is missing: its own sentence
        return False, str(exc)
    except Exception as exc:  # no keyring backend, a locked keyring...
        return False, (
            f"The system keyring could not save the key ({type(exc).__name__}: {exc}); "
            "set it in the environment variable instead."
        )
    return True, f"The key for {base_url} is saved in the system keyring."


class BackendController(QObject):
    """Runs connection tests and keyring writes on the task runner; see the module doc."""

    connectionTested = Signal(bool, str)  # ok, one sentence
    keySaved = Signal(bool, str)  # ok, one sentence

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._busy = False
        self.tasks = TaskRunner(self, max_threads=1)

    def test_connection(self, config: RemoteConfig) -> bool:
        """Probe the server once, without retries; False while a test is running."""
        if self._busy:
            return False
        self._busy = True
        probe = replace(
            config,
            retries=0,
            connect_timeout=min(config.connect_timeout, PROBE_CONNECT_TIMEOUT),
            read_timeout=min(config.read_timeout, PROBE_READ_TIMEOUT),
            deadline=min(config.deadline, PROBE_DEADLINE),
        )
        self.tasks.submit(probe_server, probe, on_done=self._on_tested)
        return True

    def save_key(self, base_url: str, key: str) -> None:
        """Store ``key`` for ``base_url`` in the system keyring; keySaved follows."""
        self.tasks.submit(  # under the URL the engine looks it up by (no trailing /v1)
            save_key_now, server_root(base_url), key, on_done=lambda r: self.keySaved.emit(*r)
        )

    def thread_running(self) -> bool:
        return self.tasks.pending() > 0

    def shutdown(self, timeout_ms: int = 20000) -> None:
        """Wait for the job in flight; safe to call twice."""
        self.tasks.shutdown(timeout_ms)

    def _on_tested(self, result: tuple[bool, str]) -> None:
        self._busy = False
        self.connectionTested.emit(*result)
