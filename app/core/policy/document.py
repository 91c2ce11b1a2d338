"""A content policy: Markdown body, optional front matter, output format and rule-code index.

The front matter and the output format live in :mod:`app.core.policy.front_matter`; a policy without
a declared format uses the format kept beside its file (:mod:`app.core.policy.sidecar`), or
has it read from its text by :mod:`app.core.policy.stated_format`. Only the body
(everything after the front-matter block) is sent to the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.core.policy.front_matter import (
    FORMATS,
    KNOWN_KEYS,
    OutputFormat,
    PolicyError,
    declares_format,
    output_format_from_meta,
    split_front_matter,
    unknown_key_warnings,
)
from app.core.policy.lines import (
    RULE_CODE_RE,
    RuleCode,
    cited_rule_codes,
    find_rule_codes,
    is_caps_heading,
)
from app.core.policy.sidecar import read_sidecar
from app.core.policy.stated_format import FormatReading, format_reading

__all__ = [  # this module's own names, and the format vocabulary it re-exports
    "FORMATS",
    "KNOWN_KEYS",
    "RULE_CODE_RE",
    "FormatReading",
    "OutputFormat",
    "Policy",
    "PolicyError",
    "RuleCode",
    "cited_rule_codes",
    "estimate_tokens",
    "find_rule_codes",
    "is_caps_heading",
    "load_policy",
    "output_format_from_meta",
    "parse_policy",
    "split_front_matter",
]

# Pieces a byte-pair tokenizer like o200k keeps whole: words with their leading space,
# runs of up to three digits, punctuation runs, newlines.
# CJK characters cost about one token each.
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_PIECE_RE = re.compile(
    rf"[{_CJK}]| ?[^\W\d_{_CJK}]+| ?\d{{1,3}}| ?_+| ?[^\s\w]+|\s*\n|\s+(?!\S)|\s+"
)


@dataclass
class Policy:
    """A parsed policy file."""

    text: str
    body: str
    body_line_offset: int
    name: str = "Untitled policy"
    version: str = ""
    output: OutputFormat = field(default_factory=OutputFormat)
    meta: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)  # usable, but worth a look
    format: FormatReading | None = None  # where ``output`` came from (None: built by hand)

    @property
    def rule_codes(self) -> list[RuleCode]:
        return find_rule_codes(self.text)


def estimate_tokens(text: str) -> int:
    """Estimate o200k token count without the real vocabulary.

    Common English words are one token each; a long word costs one extra token per
    eight characters. On the starter policies this lands within about 10% of o200k.
    """
    count = 0
    for piece in _PIECE_RE.findall(text):
        stripped = piece.strip()
        count += 1 + max(0, (len(stripped) - 1) // 8) if stripped else 1
    return count


_READ_SIDECAR = object()  # parse_policy's default: the sidecar beside ``path``, if any


def parse_policy(text: str, path: Path | None = None, sidecar: object = _READ_SIDECAR) -> Policy:
    """Parse policy text; raises PolicyError with a one-sentence message.

    The format: the front matter's, else ``sidecar`` (an OutputFormat, or None for none;
    by default the sidecar file kept beside ``path``, :mod:`app.core.policy.sidecar`), else
    what the text states.
    """
    meta, body, offset = split_front_matter(text)
    if sidecar is _READ_SIDECAR:
        sidecar = read_sidecar(path) if path is not None and not declares_format(meta) else None
    kept = sidecar if isinstance(sidecar, OutputFormat) else None
    reading = format_reading(meta, body, offset, kept)
    warnings = unknown_key_warnings(meta)
    name = meta.get("name") or (path.stem.replace("_", " ").title() if path else "Untitled policy")
    return Policy(
        text=text,
        body=body,
        body_line_offset=offset,
        name=name,
        version=meta.get("version", ""),
        output=reading.output,
        format=reading,
        meta=meta,
        path=path,
        warnings=warnings,
    )


def load_policy(path: Path | str) -> Policy:
    """Read and parse a policy file, with messages for missing or non-UTF-8 files."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError(f"Policy file {path} does not exist; check the path.") from None
    except OSError as exc:
        raise PolicyError(f"Cannot read policy file {path} ({exc.strerror}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolicyError(f"Policy file {path} is not UTF-8 text; save it as UTF-8.") from None
    return parse_policy(text, path)
