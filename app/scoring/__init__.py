"""Scoring: pure functions over result records, importing only :mod:`app.core`.

:mod:`.outcome` is *the* definition of right, wrong and unscored (label, tier, a two-label
answer's scored part, escalation); metrics, tier metrics, flips, run comparison, stability,
the rule heat map, triage evidence, held-out checks, agreement and robustness all judge
through it. Nothing here opens a store or an engine: callers hand the records in.
"""
