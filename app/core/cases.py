"""Test cases: a piece of content with its expected label, stored as JSONL beside a policy.

A policy ``dir/policy.md`` keeps its cases in ``dir/cases.jsonl``; any other ``foo.md``
keeps them in ``foo.cases.jsonl``. Each line: ``id``, ``content``, ``expected``, and
optional ``notes``, ``tags`` and ``prompt``. ``prompt`` is the user's prompt that a response
case answers (a prompt/response dataset): the model sees both, in the layout of
:func:`model_content`. Any other field a team keeps (``source``, ``lang``, ``severity``,
``split``...) is kept as it is, in ``TestCase.extra``, and written back on every save.

A test set is refused on load, with the line numbers, when two lines share an id (a result
is stored per case id: one would overwrite the other) or when an expected label is not a
label: ``true``, ``["1"]``, ``{"v": 1}``, or a word the policy's output format does not
know (``maybe``). :func:`expected_problem` says what is wrong with one expected value; the
importer uses it too, so the same values are refused the same way everywhere.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from app.core.policy import OutputFormat, normalize_label
from app.core.storage_paths import atomic_write_text

KNOWN_FIELDS = ("id", "content", "expected", "notes", "tags", "prompt")
PROMPT_HEADING = "The user's prompt:"
RESPONSE_HEADING = "The response to judge:"


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
    prompt: str = ""  # the prompt a response case answers ("" for a plain case)
    extra: dict[str, object] = field(default_factory=dict)  # fields the app does not use

    def to_json(self) -> str:
        data = {
            k: v
            for k, v in asdict(self).items()
            if k in KNOWN_FIELDS and (k == "content" or v not in ("", []))
        }
        data.update((k, v) for k, v in self.extra.items() if k not in KNOWN_FIELDS)
        return json.dumps(data, ensure_ascii=False)

    def copy(self, **changes: object) -> TestCase:
        """An independent copy (tags and extra fields not shared), with ``changes``."""
        return replace(
            self, **{"tags": list(self.tags), "extra": copy.deepcopy(self.extra), **changes}
        )


def model_content(case: TestCase) -> str:
    """The text the model classifies for a case: its content, or, for a response case with
    a prompt, the prompt then the response under two headings::

        The user's prompt:
        <prompt>

        The response to judge:
        <content>

    Every run (suite, samples, single case) sends this and keys its cache on it, so a
    changed prompt is a new question."""
    if not case.prompt:
        return case.content
    return f"{PROMPT_HEADING}\n{case.prompt}\n\n{RESPONSE_HEADING}\n{case.content}"


def cases_path_for(policy_path: Path | str) -> Path:
    policy_path = Path(policy_path)
    if policy_path.name == "policy.md":
        return policy_path.with_name("cases.jsonl")
    return policy_path.with_name(policy_path.stem + ".cases.jsonl")


def expected_problem(value: object, output: OutputFormat | None) -> str | None:
    """Why ``value`` cannot be an expected label (a phrase), or None when it can.

    Text and numbers are labels when the policy's format knows their spelling (any text
    when no format is given); booleans, lists and objects never are."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    allowed = ", ".join(output.labels) if output is not None else "a label of the policy"
    if isinstance(value, (bool, list, dict)) or not isinstance(value, (str, int, float)):
        shown = json.dumps(value, ensure_ascii=False)[:40]
        return f"the label {shown} is not text; write one of {allowed} in quotes"
    if output is not None and normalize_label(str(value), output) is None:
        return f"the label '{str(value)[:40]}' is not one of this policy's labels ({allowed})"
    return None


def case_from_dict(data: dict, line: int = 0, output: OutputFormat | None = None) -> TestCase:
    where = f" on line {line}" if line else ""
    if not isinstance(data, dict):
        raise CasesError(f"The test set has a value that is not an object{where}; fix that line.")
    content = data.get("content")
    if not isinstance(content, str):
        raise CasesError(f"The case{where} has no 'content' text; add it or delete the line.")
    raw = data.get("expected")
    problem = expected_problem(raw, output)
    if problem:
        raise CasesError(f"The case{where} is refused: {problem}.")
    expected = "" if raw is None else str(raw)
    if output is not None and expected.strip():
        expected = normalize_label(expected, output) or expected
    tags = data.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    elif not isinstance(tags, list):
        tags = [tags]
    prompt = data.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise CasesError(f"The case{where} has a 'prompt' that is not text; write it in quotes.")
    return TestCase(
        id=str(data.get("id") or f"case-{line}"),
        content=content,
        expected=expected,
        notes=str(data.get("notes") or ""),
        tags=[str(t) for t in tags],
        prompt=prompt or "",
        extra={k: v for k, v in data.items() if k not in KNOWN_FIELDS},
    )


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSONL text: split at newlines only. (``str.splitlines`` also splits
    at U+2028, U+0085 and others, which JSON writers leave inside strings.)"""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline that ends the last line starts no new one
    return [line.removesuffix("\r") for line in lines]


def parse_cases_jsonl(text: str, output: OutputFormat | None = None) -> list[TestCase]:
    """Cases from JSONL text; refuses bad JSON, bad labels and duplicate ids (see above)."""
    cases: list[TestCase] = []
    lines_of: dict[str, list[int]] = {}
    for number, line in enumerate(jsonl_lines(text), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CasesError(
                f"Line {number} of the test set is not valid JSON ({exc.msg}); fix or remove it."
            ) from None
        case = case_from_dict(data, number, output)
        lines_of.setdefault(case.id, []).append(number)
        cases.append(case)
    duplicates = {case_id: lines for case_id, lines in lines_of.items() if len(lines) > 1}
    if duplicates:
        case_id, lines = next(iter(duplicates.items()))
        more = f" ({len(duplicates) - 1} more ids repeat)" if len(duplicates) > 1 else ""
        raise CasesError(
            f"The test set uses the id '{case_id}' on lines "
            f"{', '.join(map(str, lines))}{more}; give each case its own id."
        )
    return cases


def load_cases(path: Path | str, output: OutputFormat | None = None) -> list[TestCase]:
    """The cases of a test-set file ([] when it does not exist); ``output`` checks labels."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError:
        raise CasesError(f"Test set {path.name} is not UTF-8; save it as UTF-8.") from None
    return parse_cases_jsonl(text, output)


def save_cases(path: Path | str, cases: list[TestCase]) -> None:
    atomic_write_text(path, "".join(case.to_json() + "\n" for case in cases))
