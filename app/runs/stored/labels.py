"""How people read a stored run: "v3 · medium · tiny.gguf · 30 Nov 16:47".

Run ids ("20261130-164730-71288356") stay what the CLI and the store use; everywhere a
person reads a run (the Metrics title, History, the flip report, exported reports) it is
named by its policy version number, reasoning effort, model file and start time.
``version_number`` numbers a policy version among the versions recorded for its file,
oldest first, as History does.
"""

from __future__ import annotations

import time
from pathlib import PurePath

from app.core.records import PolicyVersion, RunRecord
from app.store import Store


def when_label(stamp: float) -> str:
    """A start time as "30 Nov 16:47" (local time; the year only when it is not this one)."""
    moment = time.localtime(stamp)
    text = f"{moment.tm_mday} {time.strftime('%b', moment)}"
    if moment.tm_year != time.localtime().tm_year:
        text += f" {moment.tm_year}"
    return f"{text} {time.strftime('%H:%M', moment)}"


def model_label(model: str) -> str:
    """A model as its file name; a remote model keeps its server-given name."""
    if not model:
        return "unknown model"
    if model.startswith("remote:"):
        return model.rsplit("#", 1)[-1] or model
    return PurePath(model.replace("\\", "/")).name or model


def run_label(run: RunRecord, version: int | None) -> str:
    """``v3 · medium · tiny.gguf · 30 Nov 16:47`` (the version left out when unknown)."""
    parts = [f"v{version}"] if version else []
    effort = str((run.settings or {}).get("effort") or "")
    if effort:
        parts.append(effort)
    parts += [model_label(run.model), when_label(run.started)]
    return " · ".join(parts)


def version_number(store: Store, policy_hash: str) -> int | None:
    """The 1-based number of a policy version among its file's versions, oldest first."""
    return loaded_version_number(store, store.policy_version(policy_hash))


def loaded_version_number(store: Store, version: PolicyVersion | None) -> int | None:
    """:func:`version_number` of a version already read (None when it is gone)."""
    if version is None:
        return None
    hashes = [v.hash for v in store.policy_versions(version.path)]
    return hashes.index(version.hash) + 1 if version.hash in hashes else None


def describe_run(store: Store, run: RunRecord) -> str:
    """The readable name of a stored run, looked up in ``store``."""
    return run_label(run, version_number(store, run.policy_hash))
