"""Self-check results kept per model fingerprint, in ``model_checks.json`` in the data folder.

A model file is probed (:mod:`app.runs.backends.probe`) the first time it is loaded
(:func:`check_first_load`, which the window's engine controller calls after a run that
loaded it) and by ``models check --probe`` (:func:`check_model`); the result is
stored under the file's fingerprint (size, mtime, header hash), so a re-downloaded or edited
file is checked again and an unchanged one never is. The file is small JSON written
atomically; an unreadable one is treated as empty (the checks are redone, nothing else is
lost).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.core.fingerprint import model_fingerprint
from app.core.run_types import EngineSettings, LoadFacts, RunSettings
from app.core.storage_paths import atomic_write_text, data_dir
from app.engine.protocol import Engine
from app.runs.backends.probe import PROBE_CTX, PROBE_RUN, ProbeReport, run_probe

FILE_NAME = "model_checks.json"


@dataclass(frozen=True)
class StoredCheck:
    """One stored self-check: the report, for which file, and when."""

    report: ProbeReport
    model: str  # file name when checked
    checked_at: str  # ISO 8601, UTC


def checks_path() -> Path:
    return data_dir() / FILE_NAME


def _read_all() -> dict:
    try:
        data = json.loads(checks_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def stored_check(model_path: Path | str) -> StoredCheck | None:
    """The stored self-check of this exact file (same fingerprint), or None."""
    try:
        key = model_fingerprint(model_path).digest
    except OSError:
        return None
    entry = _read_all().get(key)
    if not isinstance(entry, dict):
        return None
    return StoredCheck(
        ProbeReport.from_dict(entry), str(entry.get("model", "")), str(entry.get("checked_at", ""))
    )


def save_check(model_path: Path | str, report: ProbeReport) -> StoredCheck:
    """Store a report under the file's fingerprint (atomic write) and return it."""
    key = model_fingerprint(model_path).digest
    checked = StoredCheck(
        report, Path(model_path).name, datetime.now(UTC).isoformat(timespec="seconds")
    )
    data = _read_all()
    data[key] = {**report.to_dict(), "model": checked.model, "checked_at": checked.checked_at}
    atomic_write_text(checks_path(), json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return checked


def check_model(
    engine: Engine, settings: EngineSettings, run: RunSettings = PROBE_RUN
) -> StoredCheck | None:
    """Load ``settings`` on ``engine``, run the probe, store and return the result; None
    (nothing stored) when it was cancelled. The engine is left open."""
    report = run_probe(engine, engine.load(settings), run)
    return None if report is None else save_check(settings.model_path, report)


def check_first_load(
    engine: Engine,
    facts: LoadFacts,
    model_path: str,
    run: RunSettings = PROBE_RUN,
    cancel: threading.Event | None = None,
) -> StoredCheck | None:
    """After the window's engine has really loaded a local file: probe it unless this file
    was checked before. None when nothing was run (checked before, not a llama.cpp load,
    the file is gone) or the probe was cancelled."""
    if facts.backend != "local" or not facts.special_tokens or not model_path:
        return None  # a server, a lazy header read, or an engine that knows no vocabulary
    try:
        if stored_check(model_path) is not None:
            return None
        report = run_probe(engine, facts, run, cancel)
        return None if report is None else save_check(model_path, report)
    except OSError:  # the file moved away meanwhile: nothing to check against
        return None


def probe_settings(model_path: Path | str) -> EngineSettings:
    """Engine settings for probing a file on its own: a small context is enough."""
    return EngineSettings(model_path=str(model_path), n_ctx=PROBE_CTX)
