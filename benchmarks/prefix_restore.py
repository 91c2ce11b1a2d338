"""A saved policy prefix against evaluating it again, each in a fresh engine process.

On the medium synthetic gpt-oss model with a ~4,000-token policy: an engine process with an
empty prefix cache classifies one case (it evaluates the policy and saves its state after
the result); a new engine process then classifies another case of the same policy and
restores the state instead. Prints, as medians over ``--rounds``:

  1. time to the first generated token, restored / recomputed (target <= 0.1);
  2. the restore's disk read (the state file read and checked, apart from llama.cpp's copy);
  3. the state file's size per 1,000 prefix tokens.

Exits non-zero when the ratio misses its target.

Run: ``python -m benchmarks.prefix_restore [--rounds 3] [--policy-tokens 4000]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import llama_cpp

from app.core.policy import load_policy
from app.core.run_types import ClassifyRequest, Delta, EngineSettings, Finished, RunSettings
from app.engine.local.engine import LocalEngine
from app.engine.local.prefix_store import PrefixStore
from tests.support.requests import GRAMMAR
from tests.support.synthetic_gguf import cached_model

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "spam_scams" / "policy.md"
TARGET = 0.1
THREADS = 2


def long_policy(model: Path, tokens: int) -> tuple[str, object]:
    """The starter spam policy, grown with numbered boundary examples to ``tokens``."""
    policy = load_policy(POLICY)
    vocab = llama_cpp.Llama(model_path=str(model), vocab_only=True, verbose=False)
    parts = [policy.body, "\n## Further examples near the boundary\n"]
    index = 0
    while len(vocab.tokenize("".join(parts).encode(), add_bos=False)) < tokens:
        for _ in range(20):
            index += 1
            parts.append(
                f"- **EX{index}** A message offering item {index} at a discount with a link "
                f"to a shop; label 1 when it asks for payment up front, else 0.\n"
            )
    vocab.close()
    return "".join(parts), policy.output


def first_token_seconds(engine: LocalEngine, request: ClassifyRequest) -> tuple[float, object]:
    """Seconds from sending the request to its first streamed text, and its result."""
    started = time.perf_counter()
    first = None
    result = None
    for event in engine.classify(request):
        if isinstance(event, Delta) and first is None:
            first = time.perf_counter() - started
        if isinstance(event, Finished):
            result = event.result
    if first is None or result is None:
        raise SystemExit(f"case {request.case_id} gave no text: {result}")
    return first, result


def one_round(settings: EngineSettings, body: str, output, run: RunSettings) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="prefix-bench-"))
    os.environ["SAFEGUARD_CACHE_DIR"] = str(folder)  # the engine's child inherits it
    cold_case = ClassifyRequest("cold", body, "Win a free phone, pay shipping first.", run, output)
    warm_case = ClassifyRequest("warm", body, "Team lunch moved to noon.", run, output)
    with LocalEngine() as engine:
        engine.load(settings)
        recomputed, cold = first_token_seconds(engine, cold_case)
    with LocalEngine() as engine:  # a restart: nothing in memory, the state on disk
        engine.load(settings)
        restored, warm = first_token_seconds(engine, warm_case)
    store = PrefixStore(folder / "prefixes")
    (path,) = store.files()
    started = time.perf_counter()
    data = path.read_bytes()  # what a restore reads and checks before llama.cpp sees it
    read_s = time.perf_counter() - started
    return {
        "recomputed": recomputed,
        "restored": restored,
        "read": read_s,
        "bytes": len(data),
        "prefix": warm.tokens.reused,
        "cold_evaluated": cold.tokens.evaluated,
        "warm_evaluated": warm.tokens.evaluated,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--policy-tokens", type=int, default=4000)
    args = parser.parse_args()

    model = cached_model("medium")
    body, output = long_policy(model, args.policy_tokens)
    run = RunSettings(effort="low", max_tokens=8, date="2026-01-01", grammar=GRAMMAR)
    settings = EngineSettings(model_path=str(model), n_ctx=8192, n_threads=THREADS)
    rounds = []
    for index in range(args.rounds):
        rounds.append(one_round(settings, body, output, run))
        r = rounds[-1]
        print(
            f"round {index + 1}: first token recomputed {r['recomputed']:.2f} s, "
            f"restored {r['restored']:.3f} s (read {r['read'] * 1000:.1f} ms); prompt "
            f"evaluated {r['cold_evaluated']} -> {r['warm_evaluated']} tokens"
        )
    last = rounds[-1]
    if not last["prefix"]:
        print("the new engine process did not restore the prefix: FAILED")
        return 1
    ratio = statistics.median(r["restored"] / r["recomputed"] for r in rounds)
    print(
        f"\nmodel: {model.name}, {THREADS} threads, policy prefix {last['prefix']} tokens, "
        f"{args.rounds} rounds (medians)"
    )
    print(
        f"1. first token: recomputed {statistics.median(r['recomputed'] for r in rounds):.2f} s"
        f", restored {statistics.median(r['restored'] for r in rounds):.3f} s"
    )
    verdict = "ok" if ratio <= TARGET else "MISSED"
    print(f"   restored / recomputed = {ratio:.3f}   (target <= {TARGET}) {verdict}")
    read_ms = statistics.median(r["read"] for r in rounds) * 1000
    print(
        f"2. restore's disk read (page cache warm): {read_ms:.1f} ms of {last['bytes'] / 1e6:.1f} MB"
    )
    per_k = last["bytes"] / last["prefix"] * 1000 / 1e6
    print(f"3. state file: {per_k:.2f} MB per 1,000 prefix tokens")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
