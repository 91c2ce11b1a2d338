"""Test cases: a piece of content with its expected label, stored as JSONL beside a policy.

A policy ``dir/policy.md`` keeps its cases in ``dir/cases.jsonl``; any other ``foo.md``
keeps them in ``foo.cases.jsonl``. Each line: ``id``, ``content``, ``expected``, and
optional ``notes`` and ``tags``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.core.storage_paths import atomic_write_text


class CasesError(ValueError):
    """A test-set file that cannot be read; the message says what to fix."""


@dataclass
class TestCase:
    __test__ = False  # not a pytest test class

    id: str
    content: str
    expected: str = ""
    notes: str = ""
    tags: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items() if v not in ("", [])}
        data.setdefault("content", self.content)
        return json.dumps(data, ensure_ascii=False)


def cases_path_for(policy_path: Path | str) -> Path:
    policy_path = Path(policy_path)
    if policy_path.name == "policy.md":
        return policy_path.with_name("cases.jsonl")
    return policy_path.with_name(policy_path.stem + ".cases.jsonl")


def case_from_dict(data: dict, line: int = 0) -> TestCase:
    where = f" on line {line}" if line else ""
    if not isinstance(data, dict):
        raise CasesError(f"The test set has a value that is not an object{where}; fix that line.")
    content = data.get("content")
    if not isinstance(content, str):
        raise CasesError(f"The case{where} has no 'content' text; add it or delete the line.")
    tags = data.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    return TestCase(
        id=str(data.get("id") or f"case-{line}"),
        content=content,
        expected="" if data.get("expected") is None else str(data["expected"]),
        notes=str(data.get("notes") or ""),
        tags=[str(t) for t in tags],
    )


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSONL text: split at newlines only. (``str.splitlines`` also splits
    at U+2028, U+0085 and others, which JSON writers leave inside strings.)"""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline that ends the last line starts no new one
    return [line.removesuffix("\r") for line in lines]


def parse_cases_jsonl(text: str) -> list[TestCase]:
    cases: list[TestCase] = []
    for number, line in enumerate(jsonl_lines(text), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CasesError(
                f"Line {number} of the test set is not valid JSON ({exc.msg}); fix or remove it."
            ) from None
        cases.append(case_from_dict(data, number))
    return cases


def load_cases(path: Path | str) -> list[TestCase]:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError:
        raise CasesError(f"Test set {path.name} is not UTF-8; save it as UTF-8.") from None
    return parse_cases_jsonl(text)


def save_cases(path: Path | str, cases: list[TestCase]) -> None:
    atomic_write_text(path, "".join(case.to_json() + "\n" for case in cases))
