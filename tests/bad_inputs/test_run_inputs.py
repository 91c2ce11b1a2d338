"""Bad inputs and faults around a run: a symlink loop as the model, an invalid grammar, a
llama.cpp library that is missing, samples whose server fails in the middle, and the chat
API's note that case text may become special tokens. Each is one sentence (exit 2 for bad
input), with the test set untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.commands.backend_options import INJECTION_NOTE
from app.store import Store
from tests.bad_inputs.conftest import Outcome, Workspace, check, cli, stored_runs
from tests.bad_inputs.servers import chat_events, label_for
from tests.support.fake_server import chat_models, fake_server, json_answer, sse_answer


def _classify(ws: Workspace, *extra: str) -> list[str]:
    return ["classify", "--policy", str(ws.policy), "--db", str(ws.db), *extra, "some text"]


@pytest.mark.parametrize("command", ["eval", "classify"])
def test_a_symlink_loop_as_the_model_is_one_sentence(ws: Workspace, capsys, command) -> None:
    loop = ws.root / "loop.gguf"
    loop.symlink_to(loop)
    before = ws.snapshot()
    if command == "eval":
        args = ws.eval_args()
        args[args.index("--model") + 1] = str(loop)
    else:
        args = _classify(ws, "--model", str(loop))
    check(ws, before, cli(capsys, args), 2)
    assert stored_runs(ws.db) == 0


BAD_GRAMMAR = 'root ::= "0" | "1" |\nanswer ::= [unclosed'


@pytest.mark.parametrize("command", ["eval", "classify"])
def test_an_invalid_grammar_is_one_sentence_and_exit_2(ws: Workspace, capfd, command) -> None:
    import app.cli

    grammar = ws.root / "bad.gbnf"
    grammar.write_text(BAD_GRAMMAR, encoding="utf-8")
    before = ws.snapshot()
    extra = ["--grammar", str(grammar), "--ctx", "2048", "--threads", "2"]
    if command == "eval":
        args = ws.eval_args(*extra)
    else:
        args = _classify(ws, "--model", str(ws.model), "--quiet", *extra)
    code = app.cli.main(args)
    captured = capfd.readouterr()  # file descriptor 2: llama.cpp's parser writes there
    line = check(ws, before, Outcome(code, captured.out, captured.err), 2, "not valid GBNF")
    assert "fix or remove it" in line and "parse" not in captured.err.lower().replace(line, "")


@pytest.mark.parametrize("command", ["eval", "classify"])
def test_a_missing_llama_library_is_one_sentence(
    ws: Workspace, capfd, monkeypatch, tmp_path: Path, command
) -> None:
    import app.cli

    empty = tmp_path / "no-library"
    empty.mkdir()
    monkeypatch.setenv("LLAMA_CPP_LIB_PATH", str(empty))  # read by the engine's child
    before = ws.snapshot()
    args = ws.eval_args() if command == "eval" else _classify(ws, "--model", str(ws.model))
    code = app.cli.main(args)
    captured = capfd.readouterr()
    line = check(ws, before, Outcome(code, captured.out, captured.err), 1)
    assert "llama.cpp library could not be loaded" in line and "reinstall" in line
    assert "next run restarts it" not in line
    if command == "eval":
        assert "4 of 4 cases were not run" in line or "3 of 4 cases were not run" in line


def _sample_server(fail_seed: int | None):
    """A chat server answering each case right, failing c2's sample with ``fail_seed``."""

    def complete(handler, body) -> None:
        content = body["messages"][-1]["content"]
        if body.get("seed") == fail_seed and content == "content 2":
            json_answer(handler, {"error": {"message": "the model crashed"}}, status=500)
            return
        sse_answer(handler, chat_events(label_for(body)))

    return {"/v1/models": chat_models, "/v1/chat/completions": complete}


def test_server_failures_in_samples_do_not_vote_and_do_not_pass(ws: Workspace, capsys) -> None:
    before = ws.snapshot()
    with fake_server(_sample_server(fail_seed=1235)) as (url, _handler):
        outcome = cli(capsys, ws.remote_args(url, "--samples", "3", "--json",
                                             str(ws.root / "out.json")))  # fmt: skip
    line = check(ws, before, outcome, 1, "1 of 12 samples failed and did not vote", "(c2)")
    assert "HTTP 500" in line and "passes only when every sample answered" in line
    assert "0 of 4 cases unstable" in outcome.out  # the error did not vote c2 unstable
    store = Store(ws.db)
    try:
        majority = [r for r in store.list_runs() if r.settings.get("samples") == 3]
        (run,) = majority
        results = {r.case_id: r for r in store.results(run.id)}
    finally:
        store.close()
    assert results["c2"].status == "ok" and results["c2"].label == "0"


def test_samples_that_all_answer_pass(ws: Workspace, capsys) -> None:
    with fake_server(_sample_server(fail_seed=None)) as (url, _handler):
        outcome = cli(capsys, ws.remote_args(url, "--samples", "3"))
    assert outcome.code == 0, outcome.err
    assert "0 of 4 cases unstable" in outcome.out


def test_the_chat_api_says_once_that_case_text_may_become_special_tokens(ws: Workspace, capsys):
    with fake_server(_sample_server(fail_seed=None)) as (url, _handler):
        outcome = cli(capsys, ws.remote_args(url))
        assert outcome.code == 0, outcome.err
        assert outcome.err.count(INJECTION_NOTE) == 1
        classified = cli(capsys, ["classify", "--policy", str(ws.policy), "--db", str(ws.db),
                                  "--backend", "remote", "--base-url", url, "--quiet",
                                  "content 3"])  # fmt: skip
    assert classified.code == 0 and classified.err.count(INJECTION_NOTE) == 1
