"""The policy and output format a stored run used, read back the same way everywhere.

A run records the output format it ran with (``runs.output_format``: the front-matter keys
of :func:`app.core.policy.front_matter.format_meta` as a JSON object), because the format may come
from outside the policy text: a sidecar kept beside a published ``policy.txt``
(:mod:`app.core.policy.sidecar`) or a format the writer chose in the window before saving.
The store keeps only the policy text, so without the recorded format a re-reading would fall
back on what the text states and judge the run by another format than the one it ran with.

:func:`version_policy` is how a run's policy and format are read; the one loader of a stored
run, :func:`app.runs.stored.history.stored_run`, calls it, and metrics, flips, comparisons,
reviews, triage history and reports all start from that loader. A run recorded before
formats were kept (an empty ``output_format``) is read as before: the sidecar now beside its
policy file, else what its text states. A majority run of *Run ×k* that recorded none uses
its sample runs' format.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from app.core.policy import (
    OutputFormat,
    Policy,
    PolicyError,
    format_meta,
    output_format_from_meta,
    parse_policy,
)
from app.core.records import PolicyVersion, RunRecord
from app.store import Store


def format_record(output: OutputFormat) -> str:
    """What ``runs.output_format`` keeps for a run that used ``output``."""
    return json.dumps(format_meta(output), ensure_ascii=False, sort_keys=True)


def read_format_record(record: str) -> OutputFormat | None:
    """The format a run recorded, or None when it recorded none (or it no longer reads)."""
    if not record:
        return None
    try:
        data = json.loads(record)
        return output_format_from_meta({str(k): str(v) for k, v in data.items()})
    except (ValueError, AttributeError, PolicyError):
        return None


def policy_of_text(text: str, path: str = "", output: OutputFormat | None = None) -> Policy:
    """The policy a stored version's text holds, under ``output`` when a run recorded one
    (else the sidecar beside ``path``, else what the text states); named as its file is when
    the text names nothing; an empty policy when the text no longer parses."""
    where = Path(path) if path else None
    attempts = [lambda: parse_policy(text, where, output)] if output is not None else []
    attempts += [lambda: parse_policy(text, where), lambda: parse_policy(text, where, None)]
    for attempt in attempts:
        with contextlib.suppress(PolicyError):
            return attempt()
    return parse_policy("", where, output)


def recorded_output(store: Store, run: RunRecord) -> OutputFormat | None:
    """The format ``run`` recorded (a majority run without one: its first sample's)."""
    found = read_format_record(run.output_format)
    if found is None and not run.output_format:
        for _, _, sample_id in store.sample_runs(run.id)[:1]:
            sample = store.get_run(sample_id)
            found = read_format_record(sample.output_format) if sample else None
    return found


def version_policy(store: Store, run: RunRecord, version: PolicyVersion | None) -> Policy:
    """The policy of ``run`` from its version (already read; None when it is gone)."""
    text, path = (version.text, version.path) if version else ("", "")
    return policy_of_text(text, path, recorded_output(store, run))
