"""Remote backend throughput: a 16-case suite with 1 vs 4 concurrent requests.

Starts ``llama_cpp.server`` on loopback with the medium synthetic gpt-oss model and runs the
same suite through ``RemoteEngine`` + ``run_concurrent`` at concurrency 1 and 4 (alternating,
``--rounds`` times), then prints cases per second and the ratio 4 / 1.

llama-cpp-python's server has no parallel slots (it holds one ``Llama`` behind a lock and
serves one request at a time; ``--interrupt_requests False`` makes later requests queue
instead of cutting the running one off), so the ratio there shows only what overlapping the
HTTP and tokenize round trips with generation buys, about 1.0. A llama.cpp ``llama-server``
started with ``--parallel 4`` (or vLLM) decodes the four requests in one batch; point
``--base-url`` at one to measure that instead of the loopback server.

Run: ``python -m benchmarks.remote_throughput [--rounds 2] [--max-tokens 40]``
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from app.core.cases import load_cases
from app.core.policy import load_policy
from app.core.run_types import ClassifyRequest, Finished, RunSettings
from app.engine.remote.engine import RemoteConfig, RemoteEngine
from app.engine.remote.pool import run_concurrent
from tests.support.synthetic_gguf import cached_model

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "spam_scams" / "policy.md"
CASES = 16
GRAMMAR = (
    'root ::= <|channel|> "analysis" <|message|> [a-z ]{20,30} <|end|> '
    '<|start|> "assistant" <|channel|> "final" <|message|> ("0" | "1")'
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(model: Path, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"]
    command += ["--n_threads", str(threads), "--n_threads_batch", str(threads)]
    command += ["--model_alias", "medium", "--interrupt_requests", "False"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url + "/v1/models", timeout=1):
                return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit("llama_cpp.server did not start") from None
            time.sleep(0.2)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--base-url", help="measure this server instead of starting one")
    parser.add_argument("--remote-model", default="")
    args = parser.parse_args()
    process = None
    if args.base_url:
        url, name = args.base_url, args.remote_model
    else:
        process, url = start_server(cached_model("medium"), args.threads)
        name = "medium"
    try:
        engine = RemoteEngine(RemoteConfig(url, name))
        info = engine.load()
        requests = suite(args.max_tokens)
        timed_run(engine, requests[:2], 1)  # warm-up: the policy prefix is now cached
        rates: dict[int, list[float]] = {1: [], 4: []}
        for _ in range(args.rounds):
            for concurrency in (1, 4):
                rates[concurrency].append(timed_run(engine, requests, concurrency))
        one, four = statistics.median(rates[1]), statistics.median(rates[4])
        print(f"server: {url} ({info.api} API, model {info.model})")
        print(f"suite: {len(requests)} cases, max {args.max_tokens} tokens, {args.rounds} rounds")
        print(
            f"concurrency 1: {one:.2f} cases/s  (runs: {', '.join(f'{r:.2f}' for r in rates[1])})"
        )
        print(
            f"concurrency 4: {four:.2f} cases/s  (runs: {', '.join(f'{r:.2f}' for r in rates[4])})"
        )
        print(f"throughput ratio 4 / 1: {four / one:.2f}")
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


if __name__ == "__main__":
    main()
