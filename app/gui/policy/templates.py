"""Policy templates for File ▸ New from template, and the recovery-file naming scheme.

Templates are the starter policies (``policies/<name>/policy.md``) found beside the source
tree, in ``resources/policies`` or in a frozen (PyInstaller) bundle. Qt-free.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from app.core.storage_paths import recovery_dir
from app.runs.starters import list_starters

BLANK_POLICY = """---
name: New policy
version: 0.1
format: binary
labels: 0, 1
violating: 1
---
# New policy

## Instructions
Classify the user content against this policy. Answer with 1 if it violates, 0 if not.

## Definitions
- Term: what it means here.

## Criteria
Violates:
- XX1 What violates.

Does not violate:
- XX0.a What looks close but does not violate.

## Examples
- "An example near the boundary." → 1, XX1

Answer with only 0 or 1.
"""


@dataclass(frozen=True)
class Template:
    name: str
    path: Path


def list_templates() -> list[Template]:
    """Every starter policy (``*/policy.md`` under the starter folders), by name."""
    return [Template(starter.name, starter.path) for starter in list_starters()]


def recovery_path_for(policy_path: Path | None) -> Path:
    """The autosave file for a policy path (or for an untitled policy)."""
    if policy_path is None:
        return recovery_dir() / "untitled.policy.md"
    digest = hashlib.sha1(str(Path(policy_path).resolve()).encode("utf-8")).hexdigest()[:12]
    return recovery_dir() / f"{Path(policy_path).stem}-{digest}.policy.md"


def newer_recovery(policy_path: Path | None) -> Path | None:
    """The recovery file for policy_path when it exists and is newer than the saved file."""
    recovery = recovery_path_for(policy_path)
    if not recovery.is_file():
        return None
    if policy_path is not None and Path(policy_path).is_file():
        if recovery.stat().st_mtime <= Path(policy_path).stat().st_mtime:
            return None
        try:
            if recovery.read_bytes() == Path(policy_path).read_bytes():
                return None
        except OSError:
            return None
    return recovery
