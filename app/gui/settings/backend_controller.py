"""Off-GUI-thread jobs of the backend settings page: test a remote server, save an API key.

``test_connection`` builds a ``RemoteEngine`` and calls its ``load()`` (lists the served
models, checks the model name and the key, detects the API) on a worker thread and answers
with ``connectionTested(ok, sentence)``. ``save_key`` writes a key to the system keyring
(which may show a prompt or talk to a daemon) on the same thread and answers with
``keySaved(ok, sentence)``. The key is passed through and never kept.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core.run_types import LoadFacts
from app.engine.remote.engine import RemoteConfig

PROBE_CONNECT_TIMEOUT = 5.0
PROBE_READ_TIMEOUT = 15.0
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


class _Worker(QObject):
    tested = Signal(bool, str)
    saved = Signal(bool, str)

    @Slot(object)
    def test(self, config: RemoteConfig) -> None:
        from app.engine.remote.engine import RemoteEngine

        engine = None
        try:
            engine = RemoteEngine(config)
            info = engine.load()
        except Exception as exc:  # EngineError and HttpError carry the sentence
            text = str(exc).strip() or type(exc).__name__
            if not text.endswith("."):
                text += "; check the base URL."
            self.tested.emit(False, text)
        else:
            self.tested.emit(True, describe_connection(info))
        finally:
            if engine is not None:
                engine.close()

    @Slot(str, str)
    def save(self, base_url: str, key: str) -> None:
        from app.engine.remote.http import HttpError, store_api_key

        try:
            store_api_key(base_url, key)
        except HttpError as exc:  # the keyring package is missing: its own sentence
            self.saved.emit(False, str(exc))
            return
        except Exception as exc:  # no keyring backend, a locked keyring...
            self.saved.emit(
                False,
                f"The system keyring could not save the key ({type(exc).__name__}: {exc}); "
                "set it in the environment variable instead.",
            )
            return
        self.saved.emit(True, f"The key for {base_url} is saved in the system keyring.")


class BackendController(QObject):
    """Runs connection tests and keyring writes on one worker thread; see the module doc."""

    connectionTested = Signal(bool, str)  # ok, one sentence
    keySaved = Signal(bool, str)  # ok, one sentence
    _testRequested = Signal(object)
    _saveRequested = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._busy = False
        self._thread = QThread()
        self._thread.setObjectName("backend-probe")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._testRequested.connect(self._worker.test)
        self._saveRequested.connect(self._worker.save)
        self._worker.tested.connect(self._on_tested)
        self._worker.saved.connect(self.keySaved)

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
        )
        self._start()
        self._testRequested.emit(probe)
        return True

    def save_key(self, base_url: str, key: str) -> None:
        """Store ``key`` for ``base_url`` in the system keyring; keySaved follows."""
        self._start()
        self._saveRequested.emit(base_url.rstrip("/"), key)

    def thread_running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self, timeout_ms: int = 20000) -> None:
        """Stop the worker thread (after the job in flight); safe to call twice."""
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait(timeout_ms)

    def _start(self) -> None:
        if not self._thread.isRunning():
            self._thread.start()

    @Slot(bool, str)
    def _on_tested(self, ok: bool, message: str) -> None:
        self._busy = False
        self.connectionTested.emit(ok, message)
