"""Run ×k through the run layer on the medium synthetic gpt-oss model: what k samples cost.

For a few cases of the spam starter set, runs ``run_samples`` with k = 5 and a plain run
(k = 1) on fresh stores (no cache hits), and prints:
  1. prompt tokens evaluated for the k = 5 samples / for one sample (target <= 1.1: the k
     samples of a case share its prompt, evaluated once and copied by the engine);
  2. wall time of the k = 5 run / the k = 1 run (reported; the answers are decoded k times).

With ``--serial`` the engine is offered without ``classify_many``, so the samples run one
sample run after the other (what a remote server gets), for comparison. Exits 1 when the
token target is missed. Run: ``python -m benchmarks.samples_bench [--cases 4] [--k 5]
[--max-tokens 32] [--serial]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from app.core.cases import load_cases
from app.core.policy import load_policy
from app.core.run_types import EngineSettings, RunSettings
from app.engine.local.engine import LocalEngine
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.samples import run_samples
from app.store import Store
from tests.support.synthetic_gguf import cached_model

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "spam_scams" / "policy.md"
TARGET = 1.1


class Serial:
    """The engine without ``classify_many``: one request at a time."""

    def __init__(self, engine: LocalEngine) -> None:
        self.classify, self.cancel, self.close = engine.classify, engine.cancel, engine.close


def measure(engine, policy, cases, run: RunSettings, k: int) -> tuple[int, float]:
    """(prompt tokens evaluated, seconds) of a k-sample run on an empty store."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "r.db")
        began = time.perf_counter()
        inputs = SuiteInputs(
            engine, policy, cases, run, store=store, model_fingerprint="medium",
            template_hash="bench",
        )  # fmt: skip
        summary = run_samples(inputs, k)
        seconds = time.perf_counter() - began
        evaluated = sum(
            r.evaluated_tokens for s in summary.samples for r in store.results(s.run_id)
        )
        store.close()
    return evaluated, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=4)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--serial", action="store_true", help="one sample run after another")
    args = parser.parse_args(argv)
    policy = load_policy(POLICY)
    cases = load_cases(POLICY.with_name("cases.jsonl"))[: args.cases]
    engine = LocalEngine()
    engine.load(EngineSettings(model_path=str(cached_model("medium")), n_ctx=8192, n_threads=2))
    run = RunSettings(max_tokens=args.max_tokens, date="2026-01-01")
    runs_on = Serial(engine) if args.serial else engine
    try:
        measure(runs_on, policy, cases[:1], run, 1)  # warm-up: the policy prefix is cached
        one_tokens, one_seconds = measure(runs_on, policy, cases, run, 1)
        k_tokens, k_seconds = measure(runs_on, policy, cases, run, args.k)
    finally:
        engine.close()
    ratio = k_tokens / one_tokens if one_tokens else float("inf")
    print(f"prompt tokens evaluated, k={args.k} / k=1: {k_tokens} / {one_tokens} = {ratio:.2f} "
          f"(target <= {TARGET})")  # fmt: skip
    print(f"wall time, k={args.k} / k=1: {k_seconds:.1f} s / {one_seconds:.1f} s = "
          f"{k_seconds / one_seconds:.2f}")  # fmt: skip
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
