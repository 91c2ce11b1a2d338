"""Engine benchmark on the medium synthetic gpt-oss model: prefix reuse and overhead.

Prints, for a 20-case suite with one policy:
  1. prompt tokens evaluated / the no-reuse total (target <= 0.2), and evaluated / the ideal
     (policy once + each case's own tokens; target within 5%);
  2. the engine's end-to-end tokens per second / a plain llama-cpp-python loop over the same
     token ids and settings (target >= 0.95). Runs alternate so machine noise hits both.

  3. the suite decoded in parallel sequences of one context (``classify_many``, 1, 2, 4, 8
     and 16 cases at once, answer budgets 64 and 256) against one case at a time, as a
     wall-time speed-up (target >= 1.8x at 8 sequences with 256 tokens, median of --rounds
     alternating rounds), beside llama.cpp's own decode ceiling on this machine;
  4. k = 5 samples of one case against one sample: prompt tokens evaluated (target <= 1.1)
     and wall time (see ``benchmarks.batching``).

The engine's saved-prefix cache is off here (each run evaluates its policy), so the figures
measure evaluation; ``benchmarks.prefix_restore`` measures the cache. Exits non-zero when a
target is missed.

Run: ``python -m benchmarks.engine_bench [--rounds 3] [--max-tokens 48] [--sections 1234]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import llama_cpp

from app.core.cases import load_cases
from app.core.policy import load_policy
from app.core.run_types import ClassifyRequest, EngineSettings, Finished, RunSettings
from app.engine.harmony.prompt import render, tokenize_segments
from app.engine.local.engine import LocalEngine
from app.engine.local.runner import common_prefix
from benchmarks.batching import parallel_table, samples_ratio
from tests.support.synthetic_gguf import cached_model

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "spam_scams" / "policy.md"
N_CTX = 4096
THREADS = 2


def suite(n: int) -> tuple[str, list[str], object]:
    policy = load_policy(POLICY)
    cases = load_cases(POLICY.with_name("cases.jsonl"))[:n]
    return policy.body, [case.content for case in cases], policy.output


def run_engine(engine: LocalEngine, body: str, contents: list[str], output, run: RunSettings):
    results = []
    started = time.perf_counter()
    for index, content in enumerate(contents):
        request = ClassifyRequest(f"c{index}", body, content, run, output)
        for event in engine.classify(request):
            if isinstance(event, Finished):
                results.append(event.result)
    return time.perf_counter() - started, results


def run_plain(llm: llama_cpp.Llama, prompts: list[list[int]], run: RunSettings):
    """What a user of llama-cpp-python would write: generate() with its prefix reuse."""
    eog = llama_cpp.llama_model_get_vocab(llm.model)
    generated = []
    started = time.perf_counter()
    for tokens in prompts:
        llm.set_seed(run.seed)
        count = 0
        for token in llm.generate(
            tokens, top_k=0, top_p=run.top_p, min_p=0.0, temp=run.temperature, repeat_penalty=1.0
        ):
            if llama_cpp.llama_vocab_is_eog(eog, token):
                break
            llm.detokenize([token])
            count += 1
            if count >= run.max_tokens:
                break
        generated.append(count)
    return time.perf_counter() - started, generated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--batch-cases", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--sections", default="1234", help="which sections to run")
    parser.add_argument("--gpu-layers", default="auto", help='"auto", -1 (all) or a count')
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--budgets", default="64,256", help="answer budgets of section 3")
    parser.add_argument("--sequences", default="1,2,4,8,16", help="section 3's parallel runs")
    args = parser.parse_args()
    layers = args.gpu_layers if args.gpu_layers == "auto" else int(args.gpu_layers)

    model = cached_model("medium")
    body, contents, output = suite(max(args.cases, args.batch_cases))
    run = RunSettings(effort="low", max_tokens=args.max_tokens, date="2026-01-01")
    settings = EngineSettings(
        model_path=str(model), n_ctx=N_CTX, n_threads=args.threads, n_gpu_layers=layers
    )
    with LocalEngine(prefix_budget=0) as engine:
        facts = engine.load(settings)
    print(
        f"model: {model.name} ({model.stat().st_size / 1e6:.0f} MB), n_ctx {N_CTX}, "
        f"{args.threads} threads; GPU layers asked {args.gpu_layers}, used "
        f"{facts.n_gpu_layers} ({facts.placement})"
    )
    missed: list[str] = []
    if "1" in args.sections or "2" in args.sections:
        missed += reuse_and_overhead(settings, body, contents[: args.cases], output, run, args)
    if "3" in args.sections:
        missed += parallel_table(
            settings, body, contents[: args.batch_cases], output, run,
            budgets=tuple(int(b) for b in args.budgets.split(",")),
            sequences=tuple(int(n) for n in args.sequences.split(",")),
            rounds=args.rounds,
        )  # fmt: skip
    if "4" in args.sections:
        missed += samples_ratio(settings, body, contents[0], output, run)
    if missed:
        print("\nmissed: " + "; ".join(missed))
    return 1 if missed else 0


def reuse_and_overhead(settings, body, contents, output, run, args) -> list[str]:
    """Sections 1 and 2; returns the missed targets."""
    model = settings.model_path
    gpu = settings.n_gpu_layers if isinstance(settings.n_gpu_layers, int) else 0
    llm = llama_cpp.Llama(
        model_path=str(model), n_ctx=N_CTX, n_threads=settings.n_threads, swa_full=True,
        n_gpu_layers=gpu, verbose=False,
    )  # fmt: skip
    template = llm.metadata.get("tokenizer.chat_template")

    def tokenize(data: bytes, special: bool) -> list[int]:
        return llm.tokenize(data, add_bos=False, special=special)

    prompts = [
        tokenize_segments(render("template", template, body, c, run.effort, run.date)[0], tokenize)
        for c in contents
    ]
    policy_tokens = common_prefix(prompts[0], prompts[1])
    no_reuse = sum(len(p) for p in prompts)
    ideal = len(prompts[0]) + sum(len(p) - common_prefix(p, prompts[0]) for p in prompts[1:])

    with LocalEngine(prefix_budget=0) as engine:
        engine_times, plain_times = [], []
        evaluated = None
        for round_index in range(args.rounds):
            llm.reset()  # each round starts cold on both sides
            engine.close()
            engine.load(settings)
            seconds, results = run_engine(engine, body, contents, output, run)
            engine_tokens = sum(r.tokens.evaluated + r.tokens.generated for r in results)
            if evaluated is None:
                evaluated = sum(r.tokens.evaluated for r in results)
                engine_generated = [r.tokens.generated for r in results]
            engine_times.append(engine_tokens / seconds)
            seconds, generated = run_plain(llm, prompts, run)
            plain_tokens = sum(generated) + sum(r.tokens.evaluated for r in results)
            plain_times.append(plain_tokens / seconds)
            print(
                f"round {round_index + 1}: engine {engine_times[-1]:.0f} tok/s, "
                f"plain {plain_times[-1]:.0f} tok/s"
            )
    llm.close()

    print(f"\n{len(contents)} cases, policy prefix {policy_tokens} tokens")
    print(f"same generated token counts as the plain loop: {engine_generated == generated}")
    print("\n1. prompt tokens evaluated")
    print(f"   no reuse: {no_reuse}   ideal: {ideal}   engine: {evaluated}")
    print(f"   evaluated / no-reuse = {evaluated / no_reuse:.3f}   (target <= 0.2)")
    print(f"   evaluated / ideal    = {evaluated / ideal:.3f}   (target within 5%: 0.95-1.05)")
    engine_tps, plain_tps = statistics.median(engine_times), statistics.median(plain_times)
    print("\n2. end-to-end throughput (prompt evaluated + generated tokens per second)")
    print(f"   engine {engine_tps:.0f} tok/s   plain llama-cpp-python {plain_tps:.0f} tok/s")
    print(
        f"   engine / plain = {engine_tps / plain_tps:.3f}   (target >= 0.95, median of "
        f"{args.rounds} alternating rounds)"
    )
    missed = []
    if evaluated / no_reuse > 0.2 or not 0.95 <= evaluated / ideal <= 1.05:
        missed.append("prefix reuse")
    if engine_tps / plain_tps < 0.95:
        missed.append(f"engine / plain {engine_tps / plain_tps:.3f}")
    return missed


if __name__ == "__main__":
    sys.exit(main())
