"""What a robustness run records: which clean run its variants are measured against, with
what families, counts, seed and samples (stored by :mod:`app.store.robustness`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RobustnessRecord:
    run_id: str
    clean_run_id: str
    policy_hash: str
    cases_path: str = ""
    families: list[str] = field(default_factory=list)
    variants: int = 1
    seed: int = 0
    samples: int = 1
    which: str = "all"
    created: float = 0.0
