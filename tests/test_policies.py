"""Checks on the starter policies in ``policies/`` and their labelled test sets.

Each policy lives in ``policies/<slug>/policy.md`` with its cases in
``policies/<slug>/cases.jsonl``. The checks are written as functions that return a list of
problems, so the same functions are also run on deliberately broken inputs to prove that
they can fail.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from app.core.policy import Policy, estimate_tokens, find_rule_codes, load_policy, parse_policy

POLICIES_DIR = Path(__file__).resolve().parent.parent / "policies"
EXPECTED_SLUGS = {
    "spam_scams": "SP",
    "hate_speech": "HS",
    "harassment": "HR",
    "violent_extremism": "VE",
    "self_harm": "SH",
    "adult_sexual_content": "SX",
    "personal_data": "PD",
    "illegal_goods": "IG",
}
MIN_TOKENS, MAX_TOKENS = 400, 600
MIN_CASES = 40
REQUIRED_FIELDS = {"id": str, "content": str, "expected": str, "notes": str, "tags": list}
REQUIRED_META = ("name", "version", "format", "labels", "violating")
VAGUE_WORDS = ("generally", "usually", "typically")
FORMAT_MARKER = "output format"
CODE_SHAPE = re.compile(r"[A-Z]{1,5}-?\d{1,3}(?:\.[a-z0-9]{1,4})*")
# A bare domain such as "shop.com" would become a clickable link; cases write "shop[.]com".
LINK_RE = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|net|org|io|co|info|biz|ru|xyz)\b", re.I)


def policy_dirs() -> list[Path]:
    return sorted(path.parent for path in POLICIES_DIR.glob("*/policy.md"))


def policy_problems(policy: Policy, prefix: str | None = None) -> list[str]:
    """Everything wrong with one parsed policy; an empty list means it passes."""
    problems: list[str] = []
    for key in REQUIRED_META:
        if key not in policy.meta:
            problems.append(f"front matter lacks '{key}'")
    output = policy.output
    if output.kind == "json":
        if "json_fields" not in policy.meta:
            problems.append("json policy lacks 'json_fields'")
        for name in ("violation", "policy_category"):
            if name not in output.json_fields:
                problems.append(f"json_fields lacks {name}")
            if f'"{name}"' not in policy.body:
                problems.append(f"body never names the JSON field {name}")
    if not output.violating:
        problems.append("no label is declared violating")

    codes = [rule.code for rule in find_rule_codes(policy.text)]
    if not codes:
        problems.append("no rule codes defined")
    repeated = sorted(code for code, count in Counter(codes).items() if count > 1)
    if repeated:
        problems.append(f"rule codes defined more than once: {repeated}")
    if prefix is not None:
        foreign = [code for code in codes if not code.startswith(prefix)]
        if foreign:
            problems.append(f"rule codes without the prefix {prefix}: {foreign}")

    tokens = estimate_tokens(policy.body)
    if not MIN_TOKENS <= tokens <= MAX_TOKENS:
        problems.append(f"body is about {tokens} tokens, outside {MIN_TOKENS}-{MAX_TOKENS}")

    lowered = policy.body.lower()
    for word in VAGUE_WORDS:
        if re.search(rf"\b{word}\b", lowered):
            problems.append(f"vague word '{word}' in body")
    for section in ("instructions", "definitions", "criteria", "examples"):
        if not re.search(rf"^#+\s.*\b{section}\b", policy.body, re.I | re.M):
            problems.append(f"no '{section}' heading")
    if not re.search(r"escalat|ambigu", lowered):
        problems.append("no escalation or ambiguity rule")

    problems.extend(_format_statement_problems(policy))
    return problems


def _format_statement_problems(policy: Policy) -> list[str]:
    """The output format must be stated near the top and again near the bottom."""
    lines = policy.body.splitlines()
    hits = [number for number, line in enumerate(lines) if FORMAT_MARKER in line.lower()]
    if len(hits) < 2:
        return [f"output format stated {len(hits)} time(s), expected at least 2"]
    problems = []
    if hits[0] > len(lines) * 0.25:
        problems.append("first output-format statement is not in the top quarter")
    if hits[-1] < len(lines) * 0.85:
        problems.append("last output-format statement is not at the bottom")
    if policy.output.kind == "json":
        needed = ["violation", "policy_category"]
    else:
        needed = list(policy.output.labels)
    for number in hits:
        statement = lines[number]
        missing = [item for item in needed if not re.search(rf"\b{re.escape(item)}\b", statement)]
        if missing:
            problems.append(f"output-format line {number + 1} does not name {missing}")
    return problems


def case_problems(lines: list[str], policy: Policy) -> list[str]:
    """Everything wrong with the lines of one cases.jsonl; an empty list means it passes."""
    problems: list[str] = []
    defined = {rule.code for rule in find_rule_codes(policy.text)}
    ids: Counter[str] = Counter()
    contents: Counter[str] = Counter()
    boundary = 0
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        count += 1
        where = f"line {number}"
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(case, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        bad = [key for key, kind in REQUIRED_FIELDS.items() if not isinstance(case.get(key), kind)]
        if bad:
            problems.append(f"{where}: missing or mistyped fields {bad}")
            continue
        where = f"{where} ({case['id']})"
        if not case["id"].strip() or not case["content"].strip():
            problems.append(f"{where}: empty id or content")
        ids[case["id"]] += 1
        contents[" ".join(case["content"].casefold().split())] += 1
        if case["expected"] not in policy.output.labels:
            problems.append(f"{where}: expected {case['expected']!r} is not a policy label")
        if not all(isinstance(tag, str) and tag for tag in case["tags"]):
            problems.append(f"{where}: tags must be non-empty strings")
            continue
        if "boundary" in case["tags"]:
            boundary += 1
            if not case["notes"].strip():
                problems.append(f"{where}: boundary case without notes")
            if len(case["tags"]) < 2:
                problems.append(f"{where}: boundary case does not say which kind")
        unknown = [t for t in case["tags"] if CODE_SHAPE.fullmatch(t) and t not in defined]
        if unknown:
            problems.append(f"{where}: tags name undefined rule codes {unknown}")
        if LINK_RE.search(case["content"]):
            problems.append(f"{where}: content holds a clickable link; write example[.]com")
    if count < MIN_CASES:
        problems.append(f"only {count} cases, expected at least {MIN_CASES}")
    if boundary * 3 < count:
        problems.append(f"only {boundary} of {count} cases are tagged boundary, need a third")
    problems.extend(f"duplicate id {key}" for key, n in ids.items() if n > 1)
    problems.extend(f"duplicate content {key[:40]!r}" for key, n in contents.items() if n > 1)
    return problems


def test_every_starter_policy_is_present() -> None:
    slugs = {path.name for path in policy_dirs()}
    assert set(EXPECTED_SLUGS) <= slugs
    for path in policy_dirs():
        assert (path / "cases.jsonl").is_file(), f"{path.name} has no cases.jsonl"


def test_output_formats_cover_all_kinds() -> None:
    kinds = Counter(load_policy(path / "policy.md").output.kind for path in policy_dirs())
    assert kinds["json"] >= 2 and kinds["binary"] >= 2 and kinds["labels"] >= 1, kinds


@pytest.mark.parametrize("folder", policy_dirs(), ids=lambda path: path.name)
def test_policy_is_well_formed(folder: Path) -> None:
    policy = load_policy(folder / "policy.md")
    assert policy_problems(policy, EXPECTED_SLUGS.get(folder.name)) == []


@pytest.mark.parametrize("folder", policy_dirs(), ids=lambda path: path.name)
def test_cases_are_well_formed(folder: Path) -> None:
    policy = load_policy(folder / "policy.md")
    raw = (folder / "cases.jsonl").read_bytes()
    text = raw.decode("utf-8")  # raises on non-UTF-8
    assert case_problems(text.splitlines(), policy) == []


@pytest.mark.parametrize("folder", policy_dirs(), ids=lambda path: path.name)
def test_cases_cover_both_sides(folder: Path) -> None:
    policy = load_policy(folder / "policy.md")
    lines = (folder / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    expected = Counter(json.loads(line)["expected"] for line in lines if line.strip())
    violating = sum(n for label, n in expected.items() if policy.output.is_violating(label))
    allowed = sum(expected.values()) - violating
    assert violating >= 10 and allowed >= 10, expected


# The checks themselves must be able to fail: feed them broken inputs.

BROKEN_POLICY = """---
name: Broken
format: json
labels: 0, 1
violating: 1
json_fields: violation, rationale
---
# Broken

## Instructions
Answer in JSON. Output format: {"violation": 0 or 1}.

## Criteria
- BR1 Something generally bad.
- BR1 The same code again.
"""


def test_policy_checks_catch_a_broken_policy() -> None:
    problems = policy_problems(parse_policy(BROKEN_POLICY), "BR")
    text = "\n".join(problems)
    for fragment in (
        "lacks 'version'",
        "json_fields lacks policy_category",
        "more than once: ['BR1']",
        "outside 400-600",
        "vague word 'generally'",
        "no 'definitions' heading",
        "no escalation",
        "stated 1 time(s)",
    ):
        assert fragment in text, fragment


def test_case_checks_catch_broken_cases() -> None:
    policy = load_policy(policy_dirs()[0] / "policy.md")
    label = policy.output.labels[0]
    good = {"id": "x-001", "content": "hello", "expected": label, "notes": "", "tags": []}
    lines = [
        json.dumps(good),
        json.dumps(good),  # duplicate id and content
        json.dumps({**good, "id": "x-002", "content": "see shop.com", "expected": "maybe"}),
        json.dumps({**good, "id": "x-003", "content": "edge", "tags": ["boundary"]}),
        json.dumps({**good, "id": "x-004", "content": "code", "tags": ["ZZ9.q"]}),
        '{"id": "x-005", "content": ',
        json.dumps({"id": "x-006", "content": "no expected"}),
    ]
    text = "\n".join(case_problems(lines, policy))
    for fragment in (
        "duplicate id x-001",
        "duplicate content 'hello'",
        "'maybe' is not a policy label",
        "clickable link",
        "boundary case without notes",
        "does not say which kind",
        "undefined rule codes ['ZZ9.q']",
        "not valid JSON",
        "missing or mistyped fields",
        "only 7 cases",
    ):
        assert fragment in text, fragment
