"""Engine faults through ``eval`` and ``classify`` on the real llama.cpp engine and the tiny
synthetic model: a child process killed mid-run (SIGKILL, as a native crash ends it), a case
whose input crashes it every time, an engine that cannot restart, a run that did not cover
its cases, and the tokenizer's crash on a long run without a space."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator

import pytest

from app.commands import backend_options
from app.core.errors import EngineError
from app.core.run_types import ClassifyRequest, Delta, Event, Failed, Started
from app.engine.protocol import Capabilities
from app.runs.backends.config import build_engine
from app.store import Store
from tests.bad_inputs.conftest import Workspace, cli, duplicates, one_sentence

KILL_AFTER_S = 0.5  # the request is in the stopped child's pipe long before this
# the harmony shape with a long analysis: a case is still generating when it is killed
SLOW_GRAMMAR = (
    'root ::= <|channel|> "analysis" <|message|> [a-z ]{100,110} <|end|> '
    '<|start|> "assistant" <|channel|> "final" <|message|> ("0" | "1")'
)

CASES = "".join(
    f'{{"id": "c{i}", "content": "message number {i}", "expected": "{i % 2}"}}\n'
    for i in range(1, 9)
)


class KillingEngine:
    """The real engine (lazy local llama.cpp) whose child process gets SIGKILL the moment a
    chosen case starts streaming: ``before_kill`` runs first (e.g. to remove the model)."""

    def __init__(self, inner, kill: Callable[[str, int], bool], before_kill=None) -> None:
        self.inner = inner
        self.kill = kill  # (case id, how many times it was seen starting) -> kill now?
        self.before_kill = before_kill
        self.seen: dict[str, int] = {}
        self.pids: list[int] = []
        self.kill_batches = 0
        self.batches_killed = 0

    @property
    def capabilities(self) -> Capabilities:
        return self.inner.capabilities  # the lazy local engine's

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def classify_many(self, requests: list[ClassifyRequest], parallel: int) -> Iterator[Event]:
        """Parallel sequences; the first ``kill_batches`` batches lose their child."""
        killed = self.batches_killed >= self.kill_batches
        for event in self.inner.classify_many(requests, parallel):
            if isinstance(event, (Started, Delta)) and not killed:
                killed = True
                self.batches_killed += 1
                os.kill(self.inner.engine.pid, signal.SIGKILL)
            yield event

    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        """The child dies on the chosen case, before it can answer: it is stopped (SIGSTOP)
        before the request is sent, so it cannot finish the case, and killed (SIGKILL) once
        the request is in its pipe. Killed on its first event instead, a tiny model could
        finish the case before the signal landed (a race a loaded machine lost)."""
        count = self.seen[request.case_id] = self.seen.get(request.case_id, 0) + 1
        if not self.kill(request.case_id, count):
            recorded = False
            for event in self.inner.classify(request):
                if isinstance(event, (Started, Delta)) and not recorded:
                    recorded = True
                    self.pids.append(self.inner.engine.pid)
                yield event
            return
        failed = self.inner._ensure_loaded([request])  # start the child: it dies on this case
        engine = self.inner.engine
        if not failed and not engine.alive:  # a child that died before: its restart
            try:
                engine.load(engine._settings)
            except EngineError as exc:
                failed = [Failed(request.case_id, str(exc), "load")]
        if failed:
            yield from failed
            return
        pid = engine.pid
        self.pids.append(pid)
        os.kill(pid, signal.SIGSTOP)
        timer = threading.Timer(KILL_AFTER_S, self._kill, (pid,))
        timer.start()
        try:
            yield from self.inner.classify(request)
        finally:
            timer.join()

    def _kill(self, pid: int) -> None:
        if self.before_kill:
            self.before_kill()
        os.kill(pid, signal.SIGKILL)


@pytest.fixture
def killing(monkeypatch: pytest.MonkeyPatch):
    """Install a KillingEngine factory for the CLI; returns a setter and the engines built."""
    built: list[KillingEngine] = []

    def install(kill, before_kill=None, kill_batches: int = 0) -> list[KillingEngine]:
        def factory(config):
            engine = KillingEngine(build_engine(config), kill, before_kill)
            engine.kill_batches = kill_batches
            built.append(engine)
            return engine

        monkeypatch.setattr(backend_options, "engine_factory", factory)
        return built

    return install


def _setup(ws: Workspace) -> list[str]:
    ws.cases.write_text(CASES, encoding="utf-8")
    grammar = ws.root / "answer.gbnf"
    grammar.write_text(SLOW_GRAMMAR, encoding="utf-8")
    return ["--grammar", str(grammar), "--max-tokens", "200", "--ctx", "2048", "--threads", "2"]


def _results(ws: Workspace) -> dict[str, object]:
    store = Store(ws.db)
    try:
        (run,) = store.list_runs()
        return {r.case_id: r for r in store.results(run.id)}
    finally:
        store.close()


def test_a_killed_engine_is_restarted_and_every_case_runs(ws: Workspace, capsys, killing):
    built = killing(lambda case_id, count: case_id == "c3" and count == 1)
    outcome = cli(capsys, ws.eval_args(*_setup(ws), "--fail-under", "accuracy=0.0"))
    assert outcome.code == 0, outcome.err
    assert "Traceback" not in outcome.err
    results = _results(ws)
    assert sorted(results) == [f"c{i}" for i in range(1, 9)]  # the run went on after c3
    assert all(r.status == "ok" for r in results.values())  # c3 ran again, on a new child
    assert len(set(built[0].pids)) == 2 and duplicates(ws.db) == []


def test_a_case_that_crashes_the_engine_twice_is_an_error_and_the_rest_run(
    ws: Workspace, capsys, killing
):
    killing(lambda case_id, _count: case_id == "c5")  # its input "crashes" it every time
    outcome = cli(capsys, ws.eval_args(*_setup(ws)))
    results = _results(ws)
    assert sorted(results) == [f"c{i}" for i in range(1, 9)]
    assert results["c5"].status == "error"
    assert "crashed twice on this case's input" in results["c5"].message
    assert "SIGKILL" in results["c5"].message
    assert all(r.status == "ok" for cid, r in results.items() if cid != "c5")
    assert "crashed twice" in outcome.err and "Traceback" not in outcome.err


def test_a_run_that_did_not_cover_its_cases_never_passes_a_threshold(
    ws: Workspace, capsys, killing
):
    model = ws.root / "model-on-a-usb-disk.gguf"
    shutil.copyfile(ws.model, model)
    ws.model = model
    # c3 kills the engine, and the model file is gone when it restarts: the run stops
    killing(lambda case_id, _count: case_id == "c3", before_kill=model.unlink)
    outcome = cli(capsys, ws.eval_args(*_setup(ws), "--fail-under", "accuracy=0.0"))
    assert outcome.code == 1
    ran = sorted(_results(ws))
    assert ran[:3] == ["c1", "c2", "c3"] and len(ran) < 8  # stopped at the failed restart
    assert f"{8 - len(ran)} of 8 cases were not run" in outcome.err
    assert "does not pass" in outcome.err and "Traceback" not in outcome.err


def test_parallel_sequences_survive_a_killed_engine(ws: Workspace, capsys, killing):
    built = killing(lambda *_: False, kill_batches=1)
    outcome = cli(capsys, ws.eval_args(*_setup(ws), "--concurrency", "2"))
    assert outcome.code == 0, outcome.err
    assert built[0].batches_killed == 1
    results = _results(ws)
    assert sorted(results) == [f"c{i}" for i in range(1, 9)]
    assert all(r.status == "ok" for r in results.values()), [r.message for r in results.values()]


def test_the_case_that_crashes_a_batch_twice_is_an_error_and_the_rest_go_back_to_a_batch(
    ws: Workspace, capsys, killing
):
    # the batch loses its child; the first case tried again alone crashes it too, so it is
    # the one that crashes it: an error, and the others are decoded together again
    built = killing(lambda *_: True, kill_batches=1)
    outcome = cli(capsys, ws.eval_args(*_setup(ws), "--concurrency", "2"))
    assert outcome.code == 0, outcome.err
    assert built[0].batches_killed == 1 and len(built[0].seen) == 1  # one case alone
    results = _results(ws)
    assert sorted(results) == [f"c{i}" for i in range(1, 9)] and duplicates(ws.db) == []
    errors = [r for r in results.values() if r.status == "error"]
    assert len(errors) == 1 and "crashed twice on this case's input" in errors[0].message
    assert "some cases produced no verdict: 1 of 8 failed" in outcome.err


def test_a_long_run_without_a_space_does_not_crash_the_tokenizer(ws: Workspace, capsys):
    """``!`` × 100,000 and a 40,000-character URL crash llama.cpp's gpt-4o pre-tokenizer
    when tokenized whole; cut into pieces they are refused only for the context size."""
    url = "https://example.com/" + "abc" * 13_000
    for content in ("!" * 100_000, url):
        path = ws.root / "long.txt"
        path.write_text(content, encoding="utf-8")
        args = ["classify", "--policy", str(ws.policy), "--model", str(ws.model), "--db",
                str(ws.db), "--ctx", "2048", "--file", str(path)]  # fmt: skip
        outcome = cli(capsys, args)
        line = one_sentence(outcome.err)
        assert outcome.code == 1
        assert "context size" in line and "stopped" not in line, line


def test_samples_decoded_together_survive_a_killed_engine(ws: Workspace, capsys, killing):
    built = killing(lambda *_: False, kill_batches=1)
    outcome = cli(capsys, ws.eval_args(*_setup(ws), "--samples", "3"))
    assert outcome.code == 0, outcome.err  # every sample answered: nothing failed
    assert built[0].batches_killed == 1
    store = Store(ws.db)
    try:
        samples = [store.results(r.id) for r in store.list_runs(kind="sample")]
    finally:
        store.close()
    assert len(samples) == 3 and all(len(rows) == 8 for rows in samples)
    assert all(r.status == "ok" for rows in samples for r in rows)
