"""Bad servers through ``eval --backend remote`` and ``classify``, all on loopback fakes:
down, not an OpenAI-compatible API, bad URLs, refused keys, failing or invalid answers,
servers that drip bytes, stream forever or send too much. Every one ends in bounded time
with one sentence; a run where no case got a verdict exits 1 with the first error."""

from __future__ import annotations

import itertools
import socket
import time

import pytest

from app.core.policy import load_policy
from app.scoring.outcome import is_right
from app.store import Store
from tests.bad_inputs.conftest import Workspace, check, cli, one_sentence, stored_runs
from tests.bad_inputs.servers import answering, chat_events, failing, hanging, not_streaming
from tests.support.fake_server import (
    chat_models,
    drip_answer,
    fake_server,
    json_answer,
    raw_answer,
    sse_answer,
)

HTML = b"<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# (routes of the fake server, extra options, words of the one sentence): all exit 2 at load
LOAD_FAULTS = {
    "html-model-list": (
        {"/v1/models": lambda h, _b: raw_answer(h, HTML, ctype="text/html")},
        [], "is not an OpenAI-compatible API (its answer is not JSON)",
    ),
    "invalid-json-model-list": (
        {"/v1/models": lambda h, _b: raw_answer(h, b'{"data": [')},
        [], "is not an OpenAI-compatible API",
    ),
    "no-models-endpoint": ({}, [], "is not an OpenAI-compatible API (it has no /v1/models)"),
    "model-list-without-data": (
        {"/v1/models": lambda h, _b: json_answer(h, {"models": ["m"]})},
        [], "its model list has no data",
    ),
    "wrong-model-name": (
        {"/v1/models": chat_models}, ["--remote-model", "gpt-5"], "'gpt-5' is not served",
    ),
    "key-needed": (
        {"/v1/models": lambda h, _b: json_answer(h, {"error": "no key"}, status=401)},
        [], "needs an API key",
    ),
    "models-500": (
        {"/v1/models": lambda h, _b: json_answer(h, {"error": "boom"}, status=500)},
        [], "failed to list its models (HTTP 500: boom)",
    ),
    "drip-model-list": (
        {"/v1/models": lambda h, _b: drip_answer(h, b'{"data": [{"id": "m"}]}', every=0.3)},
        ["--deadline", "1"], "took longer than the 1 s allowed",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(LOAD_FAULTS))
def test_server_fault_at_load_is_one_sentence(ws: Workspace, capsys, name) -> None:
    routes, extra, words = LOAD_FAULTS[name]
    before = ws.snapshot()
    started = time.monotonic()
    with fake_server(routes) as (url, _handler):
        check(ws, before, cli(capsys, ws.remote_args(url, *extra)), 2, words)
    assert time.monotonic() - started < 10


BAD_URLS = [
    ("localhost:8080", "does not start with http:// or https://"),
    ("127.0.0.1:8080", "does not start with http:// or https://"),
    ("http://127.0.0.1:99999", "has a port outside 1-65535"),
    ("http://", "has no host name"),
    ("ftp://example.org", "does not start with http:// or https://"),
]


@pytest.mark.parametrize(("url", "words"), BAD_URLS, ids=[u for u, _ in BAD_URLS])
def test_bad_base_url_is_one_sentence(ws: Workspace, capsys, url, words) -> None:
    check(ws, ws.snapshot(), cli(capsys, ws.remote_args(url)), 2, words)
    assert stored_runs(ws.db) == 0


def test_server_down(ws: Workspace, capsys) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    check(ws, ws.snapshot(), cli(capsys, ws.remote_args(url)), 2, "Cannot reach the server")


def test_classify_against_an_html_page(ws: Workspace, capsys) -> None:
    routes = {"/v1/models": lambda h, _b: raw_answer(h, HTML, ctype="text/html")}
    with fake_server(routes) as (url, _handler):
        args = ["classify", "--policy", ws.policy, "--backend", "remote", "--base-url", url, "x"]
        check(ws, ws.snapshot(), cli(capsys, args), 2, "not an OpenAI-compatible API")


def _one_case(ws: Workspace) -> None:
    ws.cases = ws.root / "one.jsonl"
    ws.cases.write_text('{"id": "only", "content": "content 1", "expected": "1"}\n')


def endless(handler, _body) -> None:
    pieces = ({"choices": [{"delta": {"content": "la "}, "finish_reason": None}]} for _ in
              itertools.count())  # fmt: skip
    sse_answer(handler, pieces, done=False)


def slow(handler, _body) -> None:
    sse_answer(handler, chat_events() * 50, pause=0.3)


def huge(handler, _body) -> None:
    raw_answer(handler, b'{"choices": [{"text": "' + b"a" * (17 * 1024 * 1024) + b'"}]}')


def html_answer(handler, _body) -> None:
    raw_answer(handler, HTML, ctype="text/html")


def cut_short(handler, _body) -> None:
    sse_answer(handler, chat_events(finish=None), done=False)


# (completion route, extra options, words): every case fails, so eval exits 1
CASE_FAULTS = {
    "500-every-case": (failing(500)["/v1/chat/completions"], [], "(HTTP 500: the model crashed)"),
    "429-every-case": (failing(429)["/v1/chat/completions"], [], "HTTP 429"),
    "html-completion": (html_answer, [], "its answer is not JSON"),
    "slow-stream-past-deadline": (slow, ["--deadline", "1.5"], "took longer than the 1.5 s"),
    "answer-too-large": (huge, [], "larger than 16 MB"),
    "stream-cut-short": (cut_short, [], "ended the answer before it was finished"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASE_FAULTS))
def test_no_verdict_because_of_errors_exits_1(ws: Workspace, capsys, name) -> None:
    route, extra, words = CASE_FAULTS[name]
    _one_case(ws)
    before = ws.snapshot()
    started = time.monotonic()
    routes = {"/v1/models": chat_models, "/v1/chat/completions": route}
    with fake_server(routes) as (url, _handler):
        outcome = cli(capsys, ws.remote_args(url, *extra))
    line = check(ws, before, outcome, 1, "no case produced a verdict: 1 of 1 failed", words)
    assert "the first (only)" in line
    assert time.monotonic() - started < 15


def test_every_case_failing_prints_the_count_and_first_error(ws: Workspace, capsys) -> None:
    with fake_server(failing(400, "prompt too long for slot")) as (url, _handler):
        outcome = cli(capsys, ws.remote_args(url))
    line = check(ws, ws.snapshot(), outcome, 1, "no case produced a verdict: 4 of 4 failed")
    assert "the first (c1)" in line and "prompt too long for slot" in line


def test_endless_stream_stops_at_the_token_budget(ws: Workspace, capsys) -> None:
    _one_case(ws)
    started = time.monotonic()
    with fake_server({"/v1/models": chat_models, "/v1/chat/completions": endless}) as (url, _h):
        outcome = cli(capsys, ws.remote_args(url, "--max-tokens", "50"))
    assert time.monotonic() - started < 15
    # a verdict-less answer cut at the budget is not an error, but a run without a single
    # verdict fails the pipeline (exit 1) with the first case's reason
    check(ws, ws.snapshot(), outcome, 1, "no case produced a verdict (1 ", "budget")
    assert "error 0" in outcome.out
    store = Store(ws.db)
    (result,) = store.results(store.list_runs()[0].id)
    store.close()
    assert result.stop_reason == "budget" and result.status in ("no_verdict", "unparsable")


def test_bad_input_sentence_helper_rejects_tracebacks() -> None:
    """The suite's own check fails on what it must catch."""
    with pytest.raises(AssertionError):
        one_sentence("Traceback (most recent call last):\n  File x\nValueError: boom\n")
    with pytest.raises(AssertionError):
        one_sentence("safeguard-studio: one.\nsafeguard-studio: two.\n")


def test_hostile_ids_and_raw_model_bytes_in_csv_and_junit(ws: Workspace, capsys) -> None:
    """Case ids that are spreadsheet formulas or control characters, and an answer full of
    the raw bytes a model can emit: the CSV runs no formula, the JUnit file parses."""
    import csv
    import json
    import xml.etree.ElementTree as ET

    ids = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "\x01\x08\x1b", "@SUM(1)"]
    ws.cases.write_text("".join(
        json.dumps({"id": i, "content": f"content {n}", "expected": "1"}) + "\n"
        for n, i in enumerate(ids)
    ))  # fmt: skip
    raw = bytes(range(1, 32)).decode() + "\ud800\ufffe\uffff -1 =2"

    def answer(handler, _body) -> None:
        sse_answer(handler, chat_events(label=raw))

    out_csv, out_xml = ws.root / "r.csv", ws.root / "r.xml"
    routes = {"/v1/models": chat_models, "/v1/chat/completions": answer}
    with fake_server(routes) as (url, _handler):
        outcome = cli(capsys, ws.remote_args(url, "--csv", out_csv, "--junit", out_xml))
    # every answer is garbage: no verdict at all, so exit 1, with the reports still written
    assert outcome.code == 1 and "Traceback" not in outcome.err
    assert "no case produced a verdict (4 unparsable)" in outcome.err
    rows = list(csv.reader(out_csv.open(newline="", encoding="utf-8")))
    assert [r[0] for r in rows[1:]] == ["'" + ids[0], "'" + ids[1], ids[2], "'" + ids[3]]
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for r in rows for cell in r)
    suite = ET.parse(out_xml).getroot()
    names = [c.get("name") for c in suite.find("testsuite[@name='cases']").iter("testcase")]
    assert names[2] == "\\x01\\x08\\x1b" and names[0] == ids[0]


# --- servers that hang, ignore streaming, print /v1 URLs, or trickle their model list ---


def test_a_server_that_ignores_streaming_is_read(ws: Workspace, capsys) -> None:
    """One plain chat.completion instead of a stream: the answer in choices[0].message
    counts (it was lost: every case no_verdict)."""
    routes = {
        "/v1/models": chat_models,
        "/v1/chat/completions": lambda h, body: json_answer(h, not_streaming(body)),
    }
    with fake_server(routes) as (url, _handler):
        outcome = cli(capsys, ws.remote_args(url))
    assert outcome.code == 0, outcome.err
    store = Store(ws.db)
    results = store.results(store.list_runs()[0].id)
    store.close()
    assert [r.status for r in results] == ["ok"] * 4
    output = load_policy(ws.policy).output
    assert all(is_right(r, output) for r in results)


@pytest.mark.parametrize("suffix", ["/v1", "/v1/", "/V1"])
def test_a_base_url_ending_in_v1_is_accepted(ws: Workspace, capsys, suffix) -> None:
    """http://host:port/v1, as vLLM, Ollama and LM Studio print it, is the same server."""
    with fake_server(answering()) as (url, handler):
        outcome = cli(capsys, ws.remote_args(url + suffix))
        paths = {path for path, _body, _auth in handler.log}
    assert outcome.code == 0, outcome.err
    assert "/v1/models" in paths and not any(p.startswith("/v1/v1") for p in paths)


def test_a_hanging_server_stops_the_run_after_three_silent_cases(ws: Workspace, capsys) -> None:
    """A server that takes every case and never answers: the run stops after three cases
    in a row, with one sentence, instead of waiting the full limit for every case."""
    ws.cases.write_text("".join(
        f'{{"id": "h{i}", "content": "content {i}", "expected": "1"}}\n' for i in range(8)
    ))  # fmt: skip
    started = time.monotonic()
    with fake_server(hanging(hang_s=30)) as (url, handler):
        outcome = cli(capsys, ws.remote_args(url, "--timeout", "1", "--order", "file"))
        sent = [path for path, _b, _a in handler.log if path == "/v1/chat/completions"]
    elapsed = time.monotonic() - started
    assert outcome.code != 0 and "Traceback" not in outcome.err
    assert "took 3 cases in a row and sent nothing back for 1 s each, so the run stopped" in (
        outcome.err
    )
    assert len(sent) == 3, sent  # the other five cases were never sent
    assert elapsed < 12


def test_a_trickled_model_list_has_its_own_short_limit(ws: Workspace, capsys) -> None:
    """A model list dripped one byte every 2 s is given up after the listing limit (10 s),
    not the 600 s per-request deadline, with one sentence."""
    body = b'{"data": [{"id": "m"}], "padding": "' + b"x" * 40 + b'"}'
    routes = {"/v1/models": lambda h, _b: drip_answer(h, body, every=2.0)}
    started = time.monotonic()
    with fake_server(routes) as (url, _handler):
        outcome = cli(capsys, ws.remote_args(url))
    elapsed = time.monotonic() - started
    line = check(ws, ws.snapshot(), outcome, 2, "did not finish to list its models")
    assert "10 s" in line
    assert 9 < elapsed < 16
