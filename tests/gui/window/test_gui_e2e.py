"""End to end: the window runs one case on the synthetic gpt-oss model through LocalEngine.

Real llama.cpp in its child process, real prompt rendering and harmony parsing; the only
help is a GBNF grammar (the engine's own ``RunSettings.grammar``) that makes the random
weights answer in the harmony shape, so there is reasoning to stream.
"""

from __future__ import annotations

import os
from dataclasses import replace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from PySide6.QtWidgets import QMessageBox  # noqa: E402

from app.core.cases import TestCase, cases_path_for, save_cases  # noqa: E402
from app.core.verdict import VerdictStatus  # noqa: E402
from app.engine.local.engine import LocalEngine  # noqa: E402
from app.engine.protocol import Capabilities  # noqa: E402
from app.gui.app import create_main_window  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from tests.support.fake_engine import SAMPLE_POLICY, isolate_gui_env  # noqa: E402

GRAMMAR = (
    'root ::= <|channel|> "analysis" <|message|> [a-z ]{20,40} <|end|> '
    '<|start|> "assistant" <|channel|> "final" <|message|> '
    '"{\\"violation\\": " ("0" | "1") "}"'
)


class GrammarEngine:
    """LocalEngine with a grammar added to each request (everything else untouched)."""

    capabilities = Capabilities(batched=True)

    def __init__(self) -> None:
        self.inner = LocalEngine()

    def load(self, settings):
        return self.inner.load(replace(settings, n_threads=2))

    @staticmethod
    def _constrained(request):
        run = replace(request.run, grammar=GRAMMAR, max_tokens=96, effort="low")
        return replace(request, run=run)

    def classify(self, request):
        return self.inner.classify(self._constrained(request))

    def classify_many(self, requests, parallel):
        return self.inner.classify_many([self._constrained(r) for r in requests], parallel)

    def cancel(self) -> None:
        self.inner.cancel()

    def close(self) -> None:
        self.inner.close()


def open_window(qtbot, tmp_path, monkeypatch, tiny_model, cases, **engine_settings):
    """The window on the spam sample policy with ``cases``, running the tiny model through
    GrammarEngine; returns it with the list of engines its factory made."""
    isolate_gui_env(monkeypatch, tmp_path)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    policy = tmp_path / "spam.md"
    policy.write_text(SAMPLE_POLICY, encoding="utf-8")
    save_cases(cases_path_for(policy), cases)
    settings = open_settings()
    settings.setValue("engine/model_path", str(tiny_model))
    settings.setValue("engine/n_ctx", 4096)
    for key, value in engine_settings.items():
        settings.setValue(f"engine/{key}", value)
    engines: list[GrammarEngine] = []

    def factory(config=None) -> GrammarEngine:
        engines.append(GrammarEngine())
        return engines[-1]

    window = create_main_window(factory, settings=settings, policy_path=policy)
    qtbot.addWidget(window)
    window.show()
    return window, engines


def test_one_case_streams_reasoning_from_the_real_engine(qtbot, tmp_path, monkeypatch, tiny_model):
    cases = [TestCase("c1", "Pay the $2 fee to get your parcel", "1")]
    window, engines = open_window(qtbot, tmp_path, monkeypatch, tiny_model, cases)
    streamed: list[str] = []
    seen_while_running: list[str] = []  # the view's reasoning text as each delta arrived

    def on_delta(case_id: str, channel: str, text: str) -> None:
        if channel == "analysis":
            streamed.append(text)
            if window.case_panel.model.entry(case_id).result is None:
                seen_while_running.append(window.result_view.reasoning.toPlainText())

    window.controller.deltaReceived.connect(on_delta)
    try:
        with qtbot.waitSignal(window.controller.runEnded, timeout=180_000) as ended:
            assert window.runner.run_current()
        assert ended.args[0].status == "finished"
        entry = window.case_panel.model.entry("c1")
        assert entry is not None and entry.result is not None
        assert entry.result.verdict.status in set(VerdictStatus)
        assert entry.result.verdict.status is VerdictStatus.OK
        # the reasoning reached the view through deltas, before the result arrived
        assert streamed and seen_while_running and seen_while_running[-1] == "".join(streamed)
        reasoning = window.result_view.reasoning.toPlainText()
        assert reasoning and reasoning == entry.result.analysis == "".join(streamed)
        assert window.result_view.badge_kind() in ("violates", "safe")
        assert window.status.engine_state() == "ready"
        assert "tiny" in window.status.engine_label.text() or tiny_model.name in (
            window.status.engine_label.text()
        )
    finally:
        window.shutdown()
    assert not window.controller.thread_running()
    assert engines and not engines[0].inner.alive


def test_run_all_decodes_cases_together_on_the_real_engine(
    qtbot, tmp_path, monkeypatch, tiny_model
):
    cases = [TestCase(f"c{i}", f"Parcel fee number {i}, pay now", "1") for i in range(5)]
    # Settings ▸ Cases at once
    window, engines = open_window(qtbot, tmp_path, monkeypatch, tiny_model, cases, parallel=3)
    many_calls: list[int] = []
    real_many = GrammarEngine.classify_many
    monkeypatch.setattr(
        GrammarEngine,
        "classify_many",
        lambda self, requests, parallel: (
            many_calls.append(parallel) or real_many(self, requests, parallel)
        ),
    )
    try:
        with qtbot.waitSignal(window.runner.runEnded, timeout=180_000):
            assert window.runner.run_all()
        assert many_calls == [3]
        for case in cases:
            entry = window.case_panel.model.entry(case.id)
            assert entry is not None and entry.result is not None
            assert entry.result.verdict.status is VerdictStatus.OK
    finally:
        window.shutdown()
    assert engines and not engines[0].inner.alive
