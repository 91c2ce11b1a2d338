"""The batching sections of ``benchmarks.engine_bench``: parallel sequences and shared samples.

``parallel_table`` runs one suite one case at a time (``classify``) and then decoded
together (``classify_many``) in 1, 2, 4, 8 and 16 sequences, at each answer budget, and
prints each speed-up (wall time, and CPU time of the engine processes, which a busy
machine does not distort) with a check that every case's generated token count equals the
one-at-a-time run's wherever the two outputs agree (batched floating-point order may change
a random model's output; where it does not, the counts must be the same). Beside each
speed-up it prints what this machine allows at most: llama.cpp's own decode ceiling
(``benchmarks.decode_ceiling``) applied to the one-at-a-time run's generation time, its
prompt time unchanged.

``samples_ratio`` runs one case as one sample and as k samples (seeds seed … seed+k-1) in
parallel sequences, and prints prompt tokens evaluated and wall time k / one (issue 13:
the k samples share the whole prompt, evaluated once).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

try:
    import resource  # CPU time of the finished engine processes (not on Windows)
except ImportError:  # pragma: no cover
    resource = None

from app.core.run_types import ClassifyRequest, EngineSettings, Finished, RunSettings
from app.engine.local.engine import LocalEngine
from benchmarks.decode_ceiling import attainable, prompt_tokens, step_ratio

SEQUENCES = (1, 2, 4, 8, 16)
BATCH_TARGET = (8, 256, 1.8)  # sequences, budget, minimum speed-up
SAMPLES_TARGET = 1.1


def _requests(body: str, contents: list[str], output, run: RunSettings) -> list[ClassifyRequest]:
    return [ClassifyRequest(f"c{i}", body, text, run, output) for i, text in enumerate(contents)]


def _fresh(settings: EngineSettings) -> LocalEngine:
    engine = LocalEngine(prefix_budget=0)  # every run evaluates its prefix: a fair baseline
    engine.load(settings)
    return engine


def _timed(events) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    results = {e.result.case_id: e.result for e in events if isinstance(e, Finished)}
    return time.perf_counter() - started, results


def _children_cpu() -> float:
    """CPU seconds of the engine processes that have ended. On a shared machine wall time
    swings with other work; CPU time is what the run cost."""
    if resource is None:
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _alone(settings: EngineSettings, requests: list[ClassifyRequest]):
    """One case at a time in a fresh engine: (seconds, CPU seconds, results by case)."""
    cpu = _children_cpu()
    engine = _fresh(settings)
    seconds, results = _timed(e for r in requests for e in engine.classify(r))
    engine.close()
    return seconds, _children_cpu() - cpu, results


def _together(settings: EngineSettings, requests: list[ClassifyRequest], n: int):
    """The requests decoded n at a time in a fresh engine: (seconds, CPU seconds, results)."""
    cpu = _children_cpu()
    engine = _fresh(settings)
    seconds, results = _timed(engine.classify_many(requests, n))
    engine.close()
    return seconds, _children_cpu() - cpu, results


def parallel_table(
    settings: EngineSettings, body: str, contents: list[str], output, run: RunSettings,
    budgets: tuple[int, ...] = (64, 256), sequences: tuple[int, ...] = SEQUENCES,
    rounds: int = 3,
) -> list[str]:  # fmt: skip
    """Print the speed-up table; returns the missed targets. The target's cell is measured
    in ``rounds`` alternating rounds (median), the others once."""
    missed = []
    print("\n3. parallel sequences: suite time one at a time / decoded together")
    print(f"   {len(contents)} cases; 'same counts' compares cases whose outputs agree")
    prefix = prompt_tokens(settings, _requests(body, contents[:1], output, run)[0])
    ceilings = {n: step_ratio(settings, prefix, n) for n in sequences if n > 1}
    print(
        "   llama.cpp's own decode ceiling here (n one-token steps / one n-token step): "
        + ", ".join(f"{n}: {r:.2f}x" for n, r in ceilings.items())
    )
    print("   'at most': that ceiling on the generation, prompts as one at a time (Amdahl)")
    for budget in budgets:
        requests = _requests(body, contents, output, replace(run, max_tokens=budget))
        alone_s, alone_cpu, alone = _alone(settings, requests)
        generated = sum(r.tokens.generated for r in alone.values())
        prompt_ms = sum(r.timings.prompt_ms for r in alone.values())
        generate_ms = sum(r.timings.generate_ms for r in alone.values())
        print(
            f"   budget {budget}: one at a time {alone_s:.1f} s, {alone_cpu:.1f} CPU s "
            f"({generated} tokens generated, {generated / alone_s:.0f} tok/s; prompts "
            f"{prompt_ms / 1000:.1f} s, generation {generate_ms / 1000:.1f} s)"
        )
        for n in sequences:
            together_s, together_cpu, together = _together(settings, requests, n)
            agree = [c for c in alone if _same_text(alone[c], together.get(c))]
            same = all(alone[c].tokens.generated == together[c].tokens.generated for c in agree)
            speedup = alone_s / together_s
            rate = sum(r.tokens.generated for r in together.values()) / together_s
            ceiling = (
                f" of at most {attainable(prompt_ms, generate_ms, ceilings[n]):.2f}x"
                if n in ceilings
                else ""
            )
            print(
                f"     {n:2d} at once: {speedup:.2f}x{ceiling}  (CPU time "
                f"{alone_cpu / together_cpu:.2f}x; {together_s:.1f} s, {rate:.0f} tok/s "
                f"generated; outputs agree {len(agree)}/{len(alone)}, same counts there: {same})"
            )
            if len(together) != len(requests) or not same:
                missed.append(f"batching {n}x{budget}: results differ in shape or counts")
            if (n, budget) == BATCH_TARGET[:2]:
                missed += _target(settings, requests, n, speedup, rounds)
    return missed


def _target(settings, requests, n: int, first: float, rounds: int) -> list[str]:
    """The target's cell again in alternating rounds; the median against the target."""
    speedups = [first]
    for _ in range(rounds - 1):
        alone_s = _alone(settings, requests)[0]
        speedups.append(alone_s / _together(settings, requests, n)[0])
    median = statistics.median(speedups)
    ok = median >= BATCH_TARGET[2]
    print(
        f"        median of {len(speedups)} alternating rounds "
        f"({', '.join(f'{x:.2f}' for x in speedups)}): {median:.2f}x, "
        f"target >= {BATCH_TARGET[2]}x: {'ok' if ok else 'MISSED'}"
    )
    budget = requests[0].run.max_tokens
    return [] if ok else [f"batching {n} sequences at {budget} tokens: {median:.2f}x"]


def _same_text(a, b) -> bool:
    return b is not None and (a.analysis, a.final) == (b.analysis, b.final)


def samples_ratio(
    settings: EngineSettings, body: str, content: str, output, run: RunSettings, k: int = 5
) -> list[str]:
    """Print k samples of one case against one sample; returns the missed targets."""
    one = [ClassifyRequest("s0", body, content, run, output)]
    many = [ClassifyRequest(f"s{i}", body, content, replace(run, seed=run.seed + i), output)
            for i in range(k)]  # fmt: skip
    engine = _fresh(settings)
    one_s, one_results = _timed(engine.classify_many(one, 1))
    engine.close()
    engine = _fresh(settings)
    many_s, many_results = _timed(engine.classify_many(many, k))
    engine.close()
    one_tokens = sum(r.tokens.evaluated for r in one_results.values())
    many_tokens = sum(r.tokens.evaluated for r in many_results.values())
    ratio = many_tokens / one_tokens
    print(f"\n4. {k} samples of one case (seeds {run.seed}..{run.seed + k - 1}) / one sample")
    print(
        f"   prompt tokens evaluated: {many_tokens} / {one_tokens} = {ratio:.3f}   "
        f"(target <= {SAMPLES_TARGET}) {'ok' if ratio <= SAMPLES_TARGET else 'MISSED'}"
    )
    print(f"   wall time: {many_s:.1f} s / {one_s:.1f} s = {many_s / one_s:.2f}")
    return [] if ratio <= SAMPLES_TARGET else [f"samples: prompt tokens {ratio:.3f}"]
