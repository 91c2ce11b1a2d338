"""Robustness benchmark: what variants cost on the medium synthetic gpt-oss model, and how
fast they are made.

Prints:
  1. prompt tokens evaluated for a robustness run (the clean cases, then cases x families x
     variants, through ``run_robustness`` on a fresh store, saved prefixes off) / the ideal
     (the policy prefix once, then each prompt's own tokens: what is not shared with the
     first prompt); target <= 1.05: the policy prefix is evaluated once for the whole run;
  2. seconds to make the variants of 10,000 cases x 10 families (target under 2 s of CPU
     time: the wall time is printed too, but on a shared machine it measures the others);
  3. the window's longest event-loop stall while a 1,000-variant robustness run streams in
     on the scripted fake engine (a 5 ms timer on the GUI thread; target <= 50 ms).

Exits 1 when a target is missed. Run: ``python -m benchmarks.robustness [--cases 6]
[--families leet,homoglyph,base64,spaced] [--variants 1] [--max-tokens 8] [--sections 123]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import llama_cpp

from app.core.cases import load_cases
from app.core.policy import load_policy
from app.core.run_types import EngineSettings, RunSettings
from app.engine.harmony.prompt import render, tokenize_segments
from app.engine.local.runner import common_prefix
from app.runs.backends.config import BackendConfig
from app.runs.pipeline.selection import RunJob
from app.runs.pipeline.service import RunService
from app.runs.robustness import RobustnessJob, prepare, run_robustness
from app.store import Store
from app.variants.families import resolve
from app.variants.generate import generate
from tests.support.synthetic_gguf import cached_model

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "spam_scams" / "policy.md"
N_CTX = 4096
TOKEN_TARGET = 1.05
GENERATION_TARGET = 2.0
STALL_TARGET_MS = 50.0
TEN = ("leet", "leet_heavy", "homoglyph", "zero_width", "spaced", "base64", "rot13",
       "quoted", "ignore_policy", "typos")  # fmt: skip


def ideal_tokens(model: Path, body: str, contents: list[str], run: RunSettings) -> int:
    """The policy prefix once, then each prompt's tokens not shared with the first."""
    llm = llama_cpp.Llama(model_path=str(model), n_ctx=256, vocab_only=True, verbose=False)
    template = llm.metadata.get("tokenizer.chat_template")

    def tokenize(data: bytes, special: bool) -> list[int]:
        return llm.tokenize(data, add_bos=False, special=special)

    prompts = [
        tokenize_segments(render("template", template, body, c, run.effort, run.date)[0], tokenize)
        for c in contents
    ]
    llm.close()
    return len(prompts[0]) + sum(len(p) - common_prefix(p, prompts[0]) for p in prompts[1:])


def token_ratio(args: argparse.Namespace) -> list[str]:
    model = cached_model("medium")
    policy = load_policy(POLICY)
    cases = load_cases(POLICY.with_name("cases.jsonl"), policy.output)[: args.cases]
    run = RunSettings(effort="low", max_tokens=args.max_tokens, date="2026-01-01")
    engine = EngineSettings(model_path=str(model), n_ctx=N_CTX, n_threads=args.threads)
    base = RunJob(policy, cases, run, BackendConfig("local", engine=engine, prefix_budget=0),
                  cases_path="bench.cases.jsonl")  # fmt: skip
    job = RobustnessJob(base, tuple(args.families.split(",")), args.variants)
    _families, picked, variants = prepare(job)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "r.db")
        service = RunService(store)
        began = time.perf_counter()
        outcome = run_robustness(service, job)
        seconds = time.perf_counter() - began
        service.close()
        results = store.results(outcome.clean_run_id) + store.results(outcome.run_id)
        store.close()
    if outcome.status != "finished":
        print(f"the run did not finish: {outcome.message}")
        return ["robustness run"]
    ran = [r for r in results if not r.cached]
    evaluated = sum(r.evaluated_tokens for r in ran)
    contents = [c.content for c in picked] + [v.text for v in variants]
    ideal = ideal_tokens(model, policy.body, contents, run)
    ratio = evaluated / ideal
    print(f"1. {len(picked)} cases x {len(job.families)} families x {args.variants} variants "
          f"= {len(variants)} variants (+ {len(picked)} clean) in {seconds:.1f} s on "
          f"{model.name}")  # fmt: skip
    print(f"   prompt tokens evaluated {evaluated}, ideal {ideal}, no reuse "
          f"{sum(r.prompt_tokens for r in ran)}")  # fmt: skip
    print(f"   evaluated / ideal = {ratio:.3f}   (target <= {TOKEN_TARGET})")
    return [] if ratio <= TOKEN_TARGET else [f"token ratio {ratio:.3f}"]


def generation_time(args: argparse.Namespace) -> list[str]:
    cases = load_cases(POLICY.with_name("cases.jsonl"))
    many = [(f"c{i}", cases[i % len(cases)].content) for i in range(args.generate)]
    families = resolve(list(TEN))
    generate(many[:200], families, 1, 7, {"allowed": "0"})  # warm-up: tables and patterns
    cpu = wall = float("inf")
    for _ in range(args.rounds):
        began, began_cpu = time.perf_counter(), time.process_time()
        made = generate(many, families, 1, 7, {"allowed": "0"})
        wall = min(wall, time.perf_counter() - began)
        cpu = min(cpu, time.process_time() - began_cpu)
    print(f"2. {len(made)} variants ({args.generate} cases x {len(families)} families: "
          f"{', '.join(TEN)}), mean case {sum(len(t) for _, t in many) / len(many):.0f} "
          f"characters: {cpu:.2f} s of CPU ({wall:.2f} s wall; {os.getloadavg()[0]:.1f} "
          f"load), best of {args.rounds}   (target < {GENERATION_TARGET} s of CPU)")  # fmt: skip
    return [] if cpu < GENERATION_TARGET else [f"generation {cpu:.2f} s"]


def window_stall(_args: argparse.Namespace) -> list[str]:
    """A 1,000-variant run in the real window (offscreen) with the fake engine."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.core.cases import TestCase, cases_path_for, save_cases
    from app.gui.app import create_main_window, ensure_application
    from app.gui.shared.settings_store import open_settings
    from benchmarks.gui_stall import CONTENTS, _isolate
    from scripts.devtools import StallMeter, pump, run_until
    from tests.support.fake_engine import SAMPLE_POLICY, FakeEngineFactory, FakeScript

    ensure_application()
    tmp = Path(tempfile.mkdtemp(prefix="safeguard-robust-"))
    _isolate(tmp)
    policy = tmp / "policy.md"
    policy.write_text(SAMPLE_POLICY, encoding="utf-8")
    cases = [TestCase(f"c{i:02d}", CONTENTS[i % len(CONTENTS)], "1") for i in range(20)]
    save_cases(cases_path_for(policy), cases)
    settings = open_settings()
    model = tmp / "fake.gguf"
    model.write_bytes(b"GGUF" + bytes(60))
    settings.setValue("engine/model_path", str(model))
    window = create_main_window(FakeEngineFactory(FakeScript(delay=0.0)), settings=settings,
                                policy_path=policy)  # fmt: skip
    window.resize(1280, 800)
    window.show()
    pump(0.3)
    view = window.robustness_view
    view.chooser.set_chosen(["leet", "homoglyph", "zero_width", "base64", "quoted"])
    view.variants.setValue(10)
    meter = StallMeter(5)
    meter.start()
    began = time.perf_counter()
    assert view.run()
    finished = run_until(view.runner.finished, timeout_s=600)
    meter.stop()
    seconds = time.perf_counter() - began
    window.case_panel.set_modified(False)
    window.close()
    window.shutdown()
    if not finished:
        return ["the window run did not finish"]
    stall = meter.longest_ms
    print(f"3. 1000 variants (20 cases x 5 families x 10) in the window in {seconds:.1f} s: "
          f"longest stall {stall:.0f} ms, p99 gap {meter.percentile_ms(0.99):.0f} ms   "
          f"(target <= {STALL_TARGET_MS:.0f} ms)")  # fmt: skip
    return [] if stall <= STALL_TARGET_MS else [f"window stall {stall:.0f} ms"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=6)
    parser.add_argument("--families", default="leet,homoglyph,base64,spaced")
    parser.add_argument("--variants", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--generate", type=int, default=10_000, help="cases for section 2")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds of section 2")
    parser.add_argument("--sections", default="123")
    args = parser.parse_args(argv)
    missed: list[str] = []
    if "2" in args.sections:
        missed += generation_time(args)
    if "3" in args.sections:
        missed += window_stall(args)
    if "1" in args.sections:
        missed += token_ratio(args)
    if missed:
        print("missed: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
