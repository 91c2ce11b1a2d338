"""Small statistics of paired and counted outcomes: the Wilson score interval of a share,
and the exact McNemar test of paired outcomes (run A against run B, clean against attacked)."""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes / total`` (0, 1 when ``total`` is 0)."""
    if total <= 0:
        return 0.0, 1.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p: ``b`` pairs right only in the first, ``c`` right only in
    the second; the smaller count against Binomial(b + c, 1/2), doubled, at most 1."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    return part / whole if whole else None


def percentile(ordered: list[float], share: float) -> float:
    """The value at ``share`` (0..1) of values sorted ascending (the nearest rank)."""
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]
