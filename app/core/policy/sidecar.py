"""A policy's output format kept beside it: ``policy.txt`` -> ``policy.format.json``.

A published policy is the publisher's file: a correction of its output format (the *Correct…*
dialog) is kept in a sidecar file beside it, unless the writer chooses to write it into the
policy as front matter. The sidecar is a JSON object with the front-matter format keys (see
:mod:`app.core.policy.front_matter`), values as strings or lists of strings::

    {"format": "labels", "labels": ["VALID", "INVALID"], "violating": ["INVALID"],
     "tiers": ["SP0", "SP2", "SP3", "SP4"], "allowed_tiers": ["SP0"]}

Where a policy's format comes from, first found wins: its front matter, its sidecar, what
its text states (:mod:`app.core.policy.stated_format`).
"""

from __future__ import annotations

import json
from pathlib import Path

from app.core.policy.front_matter import (
    FORMAT_KEYS,
    OutputFormat,
    PolicyError,
    format_meta,
    output_format_from_meta,
)
from app.core.storage_paths import atomic_write_text

SIDECAR_SUFFIX = ".format.json"


def sidecar_path(policy_path: Path | str) -> Path:
    """The sidecar of a policy file: ``spam/policy.txt`` -> ``spam/policy.format.json``."""
    path = Path(policy_path)
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(policy_path: Path | str) -> OutputFormat | None:
    """The format kept beside the policy, or None when there is no sidecar.

    Raises PolicyError (one sentence naming the file) when the sidecar cannot be used.
    """
    path = sidecar_path(policy_path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(
            f"Cannot read the format file {path.name} ({exc}); fix or delete it."
        ) from None
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise PolicyError(f"The format file {path.name} is not a JSON object; fix or delete it.")
    meta = {
        str(key): ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        for key, value in data.items()
        if key in FORMAT_KEYS
    }
    try:
        return output_format_from_meta(meta)
    except PolicyError as exc:
        raise PolicyError(f"In the format file {path.name}: {exc}") from None


def write_sidecar(policy_path: Path | str, output: OutputFormat) -> Path:
    """Keep ``output`` beside the policy (atomically); returns the sidecar's path."""
    lists = {"labels", "violating", "json_fields", "tiers", "allowed_tiers"}
    data = {
        key: [item.strip() for item in value.split(",") if item.strip()] if key in lists else value
        for key, value in format_meta(output).items()
    }
    path = sidecar_path(policy_path)
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path
