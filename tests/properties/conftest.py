"""Hypothesis profiles for the property tests: a quick one for ``make test`` (the whole
folder well under a minute on two cores) and ``fuzz`` for ``make fuzz`` (many more
examples). ``HYPOTHESIS_PROFILE`` picks one."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,  # two busy cores make per-example timing meaningless
    database=None,  # nothing written into the work tree by a normal test run
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz", max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
