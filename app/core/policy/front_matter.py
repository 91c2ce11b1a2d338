"""A policy's output format and its front matter: reading ``key: value`` lines and writing them.

Front matter is a block of ``key: value`` lines between two ``---`` lines at the very top:

    ---
    name: Spam and scams
    version: 1.0
    format: json                  # binary | labels | json
    labels: 0, 1                  # allowed labels (binary: 0, 1; json: values of `violation`)
    violating: 1                  # which labels count as "violates"
    json_fields: violation, policy_category, rationale
    tiers: SP0, SP2, SP3, SP4     # optional severity tiers, mildest first
    allowed_tiers: SP0            # tiers that do not violate (default: the tier numbered 0)
    two_labels: yes               # the model gives a depiction and a request label (D-…, R-…)
    score_on: depiction           # which of the two labels metrics score (depiction | request)
    ---

Only the body (everything after the block) is sent to the model.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

FORMATS = ("binary", "labels", "json")
FORMAT_KEYS = (
    "format",
    "labels",
    "violating",
    "json_fields",
    "tiers",
    "allowed_tiers",
    "two_labels",
    "score_on",
)
PARTS = ("depiction", "request")  # the two labels of a two-label answer
KNOWN_KEYS = {"name", "version", "description", *FORMAT_KEYS}
DEFAULT_JSON_FIELDS = ("violation", "policy_category", "rationale")
_INLINE_COMMENT_RE = re.compile(r"\s#")  # "format: json   # a comment"
_TIER_NUMBER_RE = re.compile(r"(\d+)")


class PolicyError(ValueError):
    """A policy file that cannot be used; the message says what to fix."""


def tier_number(tier: str) -> int | None:
    """The severity number of a tier code (``SP2`` -> 2, ``HS-3`` -> 3)."""
    match = _TIER_NUMBER_RE.search(tier)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class OutputFormat:
    """How the model is told to answer and which answers count as violating.

    ``labels`` are the words the model answers with; a tiered policy also lists its severity
    ``tiers`` (mildest first) and which of them are allowed; every other tier violates. A
    tier maps to a label: itself when the labels are the tiers, else the single allowed or
    the first violating label (``SP0 -> VALID``, ``SP2 -> INVALID``).
    """

    kind: str = "binary"
    labels: tuple[str, ...] = ("0", "1")
    violating: tuple[str, ...] = ("1",)
    json_fields: tuple[str, ...] = DEFAULT_JSON_FIELDS
    tiers: tuple[str, ...] = ()
    allowed_tiers: tuple[str, ...] = ()
    two_labels: bool = False
    score_on: str = "depiction"  # the part of a two-label answer that metrics score

    def is_violating(self, label: str) -> bool:
        """Whether a label (or a tier code of this policy) counts as violating."""
        if label in self.tiers and label not in self.labels:
            return label not in self.allowed_tiers
        return label in self.violating

    def label_of(self, value: str) -> str | None:
        """The answer label a label or tier stands for; None when it is neither."""
        if value in self.labels:
            return value
        if value not in self.tiers:
            return None
        side = [
            label for label in self.labels if self.is_violating(label) == self.is_violating(value)
        ]
        return side[0] if side else None

    def expected_choices(self) -> tuple[list[str], set[str]]:
        """What a test case may expect (the labels, then the tiers) and which of it violates."""
        choices = list(dict.fromkeys([*self.labels, *self.tiers]))
        return choices, {choice for choice in choices if self.is_violating(choice)}

    def tier_of_label(self, label: str) -> str | None:
        """The tier a label means: itself when it is a tier, or the only tier mapped to it."""
        if label in self.tiers:
            return label
        matching = [tier for tier in self.tiers if self.label_of(tier) == label]
        return matching[0] if len(matching) == 1 else None


def _without_comment(line: str) -> str:
    """A front-matter line without its inline comment (one scan, however long the line)."""
    match = _INLINE_COMMENT_RE.search(line)
    return line[: match.start()] if match else line


def split_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def split_front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """Return (front-matter dict, body, number of lines before the body)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text, 0
    closed = any(_without_comment(line).strip() == "---" for line in lines[1:])
    meta: dict[str, str] = {}
    for index, line in enumerate(lines[1:], start=1):
        stripped = _without_comment(line).strip()
        if stripped == "---":
            start = index + 1
            while start < len(lines) and not lines[start].strip():
                start += 1  # blank lines between the block and the body are not sent
            return meta, "".join(lines[start:]), start
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition(":")
        if not sep and not closed:
            break  # the body began without a closing line: say that, not "no ':'"
        if not sep:
            raise PolicyError(
                f"Front-matter line {index + 1} has no ':'; write it as 'key: value'."
            )
        meta[key.strip().lower()] = value.strip()
    raise PolicyError(
        "The front-matter block is not closed (no closing '---' line); "
        "add a '---' line after the last 'key: value' line."
    )


def unknown_key_warnings(meta: dict[str, str]) -> list[str]:
    """One sentence per front-matter key the app does not know, with the likely spelling."""
    warnings = []
    for key in meta:
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "check its spelling"
        warnings.append(
            f"Front-matter key '{key}' is not one the app knows and is ignored; {hint} "
            f"(known keys: {', '.join(sorted(KNOWN_KEYS))})."
        )
    return warnings


def declares_format(meta: dict[str, str]) -> bool:
    """Whether the front matter says anything about the output format."""
    return any(key in meta for key in FORMAT_KEYS)


def _truth(value: str) -> bool:
    return value.strip().lower() in ("1", "yes", "true", "on")


def output_format_from_meta(meta: dict[str, str]) -> OutputFormat:
    kind = meta.get("format", "binary").lower()
    if kind not in FORMATS:
        raise PolicyError(f"Unknown output format '{kind}'; use one of: {', '.join(FORMATS)}.")
    labels = split_list(meta["labels"]) if "labels" in meta else ("0", "1")
    if kind == "labels" and "labels" not in meta:
        raise PolicyError("A 'labels' policy needs a 'labels:' line listing its labels.")
    violating = split_list(meta["violating"]) if "violating" in meta else None
    if violating is None:
        if kind == "labels":
            raise PolicyError("A 'labels' policy needs a 'violating:' line naming its labels.")
        violating = ("1",)
    unknown = [label for label in violating if label not in labels]
    if unknown:
        raise PolicyError(
            f"'violating' names {', '.join(unknown)}, which is not in 'labels'; list it there."
        )
    fields = split_list(meta.get("json_fields", ", ".join(DEFAULT_JSON_FIELDS)))
    tiers = split_list(meta.get("tiers", ""))
    if "allowed_tiers" in meta:
        allowed = split_list(meta["allowed_tiers"])
    else:
        allowed = tuple(tier for tier in tiers if tier_number(tier) == 0)
    stray = [tier for tier in allowed if tier not in tiers]
    if stray:
        raise PolicyError(
            f"'allowed_tiers' names {', '.join(stray)}, which is not in 'tiers'; list it there."
        )
    score_on = meta.get("score_on", "depiction").lower()
    if score_on not in PARTS:
        raise PolicyError(f"'score_on' is '{score_on}'; use depiction or request.")
    return OutputFormat(
        kind=kind,
        labels=labels,
        violating=violating,
        json_fields=fields,
        tiers=tiers,
        allowed_tiers=allowed,
        two_labels=_truth(meta.get("two_labels", "no")),
        score_on=score_on,
    )


def format_meta(output: OutputFormat) -> dict[str, str]:
    """The front-matter keys and values that declare ``output`` (read back the same)."""
    meta = {
        "format": output.kind,
        "labels": ", ".join(output.labels),
        "violating": ", ".join(output.violating),
    }
    if output.kind == "json":
        meta["json_fields"] = ", ".join(output.json_fields)
    if output.tiers:
        meta["tiers"] = ", ".join(output.tiers)
        meta["allowed_tiers"] = ", ".join(output.allowed_tiers)
    if output.two_labels:
        meta["two_labels"] = "yes"
        meta["score_on"] = output.score_on
    return meta


def front_matter_lines(output: OutputFormat) -> list[str]:
    """The ``key: value`` lines that declare ``output`` (read back to the same format)."""
    return [f"{key}: {value}" for key, value in format_meta(output).items()]


def with_front_matter(text: str, output: OutputFormat) -> str:
    """``text`` with its front matter declaring ``output``: other keys are kept, format keys
    replaced; a text without front matter gets a new block on top."""
    try:
        meta, body, _offset = split_front_matter(text)
    except PolicyError:
        meta, body = {}, text
    kept = [f"{key}: {value}" for key, value in meta.items() if key not in FORMAT_KEYS]
    block = "\n".join(["---", *kept, *front_matter_lines(output), "---"])
    return block + "\n\n" + body
