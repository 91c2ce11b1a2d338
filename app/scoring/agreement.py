"""Agreement between people, and between people and the model: κ, α, AC1 and their intervals.

Reliability data are *units* (cases), each a list of the values its raters gave, ``None``
where a rater gave none. Every statistic here reads that one shape:

* :func:`cohen_kappa` — two raters: (p_o − p_e) / (1 − p_e), p_e from each rater's own
  marginals; units where either rater is missing are left out.
* :func:`krippendorff_alpha` — any number of raters, missing values allowed: 1 − D_o / D_e
  from the coincidence matrix (each unit with m ≥ 2 values adds every ordered pair of its
  values with weight 1/(m − 1)); ``nominal`` (δ = 0 when equal, else 1) or ``ordinal``
  (δ² = (Σ_{g=c..k} n_g − (n_c + n_k)/2)², the categories in the given order).
* :func:`gwet_ac1` — any number of raters: (p_a − p_e) / (1 − p_e) with p_a the pairwise
  agreement per unit and p_e = Σ π_k(1 − π_k)/(q − 1); stable when one label dominates.
* :func:`bootstrap_interval` — a 95% interval of any of them, units drawn with replacement
  by a seeded generator (the same data always give the same interval).

A statistic that cannot be computed (no pairable unit, one category only where the
formula divides by zero) is ``None``, shown as "n/a".
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Hashable, Sequence

from app.scoring.stats import percentile

Units = Sequence[Sequence[Hashable | None]]
LEVELS = ("nominal", "ordinal")


def _present(unit: Sequence[Hashable | None]) -> list[Hashable]:
    return [value for value in unit if value is not None and value != ""]


def cohen_kappa(units: Units) -> float | None:
    """Cohen's κ of the first two raters over the units both rated."""
    pairs = [(u[0], u[1]) for u in units if len(u) >= 2 and None not in (u[0], u[1])]
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else None
    return (observed - expected) / (1 - expected)


def coincidences(units: Units) -> tuple[Counter, int]:
    """The coincidence matrix {(c, k): o_ck} and n, the number of pairable values."""
    matrix: Counter = Counter()
    total = 0
    for unit in units:
        values = _present(unit)
        m = len(values)
        if m < 2:
            continue
        total += m
        for i, first in enumerate(values):
            for j, second in enumerate(values):
                if i != j:
                    matrix[(first, second)] += 1 / (m - 1)
    return matrix, total


def _ordinal_distances(totals: Counter, order: Sequence[Hashable]) -> dict:
    """δ²_ck of the ordinal metric for every pair of categories in ``order``."""
    ranks = [c for c in order if c in totals]
    distance = {}
    for a, first in enumerate(ranks):
        for b, second in enumerate(ranks):
            low, high = min(a, b), max(a, b)
            between = sum(totals[ranks[g]] for g in range(low, high + 1))
            distance[(first, second)] = (between - (totals[first] + totals[second]) / 2) ** 2
    return distance


def krippendorff_alpha(
    units: Units, level: str = "nominal", order: Sequence[Hashable] | None = None
) -> float | None:
    """Krippendorff's α (see the module notes); ``order`` ranks the categories for
    ``ordinal`` (default: sorted)."""
    if level not in LEVELS:
        raise ValueError(f"Unknown level '{level}'; use {' or '.join(LEVELS)}.")
    matrix, n = coincidences(units)
    if n < 2:
        return None
    totals: Counter = Counter()
    for (first, _), weight in matrix.items():
        totals[first] += weight
    if level == "ordinal":
        ranks = list(order) if order is not None else sorted(totals, key=str)
        missing = [c for c in totals if c not in ranks]
        if missing:
            raise ValueError(f"The value {missing[0]!r} is not in the order of categories.")
        delta = _ordinal_distances(totals, ranks)
    else:
        delta = {(c, k): float(c != k) for c in totals for k in totals}
    observed = sum(weight * delta[pair] for pair, weight in matrix.items())
    expected = sum(totals[c] * totals[k] * delta[(c, k)] for c in totals for k in totals)
    if expected == 0:
        return None  # one category only: no disagreement is possible
    return 1 - (n - 1) * observed / expected


def gwet_ac1(units: Units, categories: Sequence[Hashable] | None = None) -> float | None:
    """Gwet's AC1 over units with two or more values; ``categories`` (default: the values
    seen) sets q, the number of categories."""
    rated = [Counter(_present(u)) for u in units]
    rated = [counts for counts in rated if sum(counts.values()) >= 1]
    pairable = [counts for counts in rated if sum(counts.values()) >= 2]
    if not pairable:
        return None
    agree = 0.0
    for counts in pairable:
        r = sum(counts.values())
        agree += sum(c * (c - 1) for c in counts.values()) / (r * (r - 1))
    p_a = agree / len(pairable)
    seen = {value for counts in rated for value in counts}
    cats = list(categories) if categories is not None else sorted(seen, key=str)
    q = len(set(cats) | seen)
    if q < 2:
        return 1.0
    share = Counter()
    for counts in rated:
        r = sum(counts.values())
        for value, count in counts.items():
            share[value] += count / r
    p_e = sum((s / len(rated)) * (1 - s / len(rated)) for s in share.values()) / (q - 1)
    if p_e >= 1.0:
        return None
    return (p_a - p_e) / (1 - p_e)


def percent_agreement(units: Units) -> float | None:
    """The share of the first two raters' values that are equal (units both rated)."""
    pairs = [(u[0], u[1]) for u in units if len(u) >= 2 and None not in (u[0], u[1])]
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else None


def bootstrap_interval(
    statistic: Callable[[Units], float | None],
    units: Units,
    *,
    rounds: int = 1000,
    seed: int = 0,
) -> tuple[float | None, float | None]:
    """A 95% percentile interval of ``statistic`` over units drawn with replacement."""
    units = list(units)
    if not units:
        return None, None
    rng = random.Random(seed)
    values = []
    for _ in range(rounds):
        value = statistic(rng.choices(units, k=len(units)))
        if value is not None:
            values.append(value)
    if not values:
        return None, None
    values.sort()
    return percentile(values, 0.025), percentile(values, 0.975)
