"""A shared review file: a run's answers and reviews as JSONL, for a colleague's own copy.

No server: :func:`export_reviews` writes the run (its policy text and version, model, and
every answer with its content hash) and the reviews made so far; :func:`import_reviews`
reads such a file into another data folder. When that folder does not have the run it is
added (marked as imported, so it never serves as a cached answer), and the colleague
reviews it as their own; importing their file back brings their reviews in.

Reviews are matched by run, case id and content hash, per reviewer. A review already there
with the same decision is left alone (importing a file twice adds nothing); one with a
different decision is a *conflict*: listed, never overwritten. A case whose content differs
(the test set changed) is not imported, and a file whose run used another policy version
is refused; each in one sentence.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.core.cases import jsonl_lines
from app.core.fingerprint import text_hash
from app.core.policy import OutputFormat
from app.core.records import RunRecord, StoredResult
from app.core.reviews import COLUMNS, STATES, Review, ReviewError, check_label, check_reviewer
from app.core.storage_paths import atomic_write_text
from app.runs.stored.history import stored_run
from app.store import Store
from app.store.reviews import get_review, put_review, run_reviews

KIND = "safeguard-studio review file"
VERSION = 1
RESULT_FIELDS = ("expected", "label", "status", "violates", "rule_codes", "rationale",
                 "analysis", "final", "message", "tier", "escalate", "depiction", "request")  # fmt: skip


@dataclass
class ImportReport:
    added: int = 0
    same: int = 0
    conflicts: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # case ids whose content differs
    missing: list[str] = field(default_factory=list)  # case ids the run does not have
    refused: list[str] = field(default_factory=list)  # reviews that are not well formed
    run_added: bool = False

    def sentences(self) -> list[str]:
        out = [f"{self.added} reviews added, {self.same} already here."]
        if self.run_added:
            out.insert(0, "The run was added to this data folder; review it from its history.")
        if self.conflicts:
            out.append(f"{len(self.conflicts)} reviews differ from the ones here and were not "
                       "imported: " + "; ".join(self.conflicts[:5]) + ".")  # fmt: skip
        if self.changed:
            out.append(f"{len(self.changed)} cases changed since the file was written "
                       f"({', '.join(self.changed[:5])}); their reviews were not imported.")  # fmt: skip
        if self.refused:
            out.append(f"{len(self.refused)} reviews were refused ({'; '.join(self.refused[:3])}).")
        if self.missing:
            out.append(f"{len(self.missing)} cases are not in this run "
                       f"({', '.join(self.missing[:5])}); their reviews were not imported.")  # fmt: skip
        return out


def export_reviews(store: Store, run_id: str, path: Path | str) -> int:
    """Write a run and its reviews to ``path``; return the number of reviews written."""
    try:
        loaded = stored_run(store, run_id)
    except ValueError:
        loaded = None
    if loaded is None or loaded.version is None:
        raise ReviewError(f"There is no run {run_id} to export; pick one from the run history.")
    run = loaded.run
    reviews: dict[str, list[dict]] = {}
    for review in run_reviews(store, run_id):
        data = review.to_dict()
        data.pop("old_expected"), data.pop("applied")
        reviews.setdefault(review.case_id, []).append(data)
    header = {"kind": KIND, "version": VERSION, "run_id": run.id, "policy_hash": run.policy_hash,
              "policy_text": loaded.policy_text, "model": run.model, "settings": run.settings,
              "cases_path": run.cases_path, "exported": time.time(),
              "output_format": run.output_format}  # fmt: skip
    lines = [json.dumps(header, ensure_ascii=False)]
    for result in loaded.results:
        answer = {name: getattr(result, name) for name in RESULT_FIELDS}
        lines.append(json.dumps({
            "case_id": result.case_id, "content": result.content,
            "content_hash": text_hash(result.content), "answer": answer,
            "reviews": reviews.get(result.case_id, []),
        }, ensure_ascii=False))  # fmt: skip
    atomic_write_text(path, "".join(line + "\n" for line in lines))
    return sum(len(v) for v in reviews.values())


def _read(path: Path | str) -> tuple[dict, list[dict]]:
    try:
        lines = jsonl_lines(Path(path).read_bytes().decode("utf-8-sig"))
        records = [json.loads(line) for line in lines if line.strip()]
    except FileNotFoundError:
        raise ReviewError(f"There is no review file {path}; check the path.") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ReviewError(f"{Path(path).name} is not a review file (not JSONL).") from None
    header = records[0] if records and isinstance(records[0], dict) else {}
    if header.get("kind") != KIND:
        raise ReviewError(
            f"{Path(path).name} is not a review file; export one with Review ▸ Export."
        )
    if header.get("version") != VERSION:
        raise ReviewError(f"{Path(path).name} is from another version of the app; update it.")
    return header, [r for r in records[1:] if isinstance(r, dict)]


def _add_run(store: Store, header: dict, cases: list[dict]) -> None:
    """Add the file's run (policy version, run row, answers) to this data folder."""
    digest = store.add_policy_version(header["policy_text"], note="imported review file")
    if digest != header["policy_hash"]:
        raise ReviewError("The review file's policy text was edited; export it again.")
    store.add_finished_run(RunRecord(
        header["run_id"], digest, model=header.get("model", ""),
        settings=header.get("settings") or {}, cases_path=header.get("cases_path", ""),
        total=len(cases), started=header.get("exported", time.time()), finished=time.time(),
        output_format=str(header.get("output_format") or ""),
    ))  # fmt: skip
    results = []
    for case in cases:
        answer = {k: v for k, v in (case.get("answer") or {}).items() if k in RESULT_FIELDS}
        results.append(StoredResult(
            run_id=header["run_id"], case_id=str(case["case_id"]),
            cache_key=f"imported:{header['run_id']}:{case['case_id']}",
            content=str(case.get("content", "")), **{"status": "ok", **answer},
        ))  # fmt: skip
    store.add_results(results)


def _checked(data: dict, output: OutputFormat) -> Review:
    """A review of the file as a Review; ReviewError when it is not well formed."""
    try:
        review = Review(**{k: v for k, v in data.items() if k in COLUMNS})
    except TypeError:
        raise ReviewError(f"a review of {data.get('case_id')} lacks fields") from None
    review.reviewer = check_reviewer(str(review.reviewer))
    if review.state not in STATES:
        raise ReviewError(f"'{str(review.state)[:20]}' is not a review state")
    if review.state == "done":
        review.label = check_label(str(review.label), output)
    return review


def _import_review(store: Store, data: dict, report: ImportReport, output: OutputFormat) -> None:
    try:
        review = _checked(data, output)
    except ReviewError as exc:
        report.refused.append(f"{data.get('case_id')}: {str(exc).rstrip('.')}")
        return
    review.applied = True  # another person's label: never written into this test set silently
    here = get_review(store, review.run_id, review.case_id, review.reviewer)
    if here is None:
        put_review(store, review)
        report.added += 1
    elif (here.state, here.label) == (review.state, review.label):
        report.same += 1
    else:
        shown = here.label or here.state
        theirs = review.label or review.state
        report.conflicts.append(
            f"{review.case_id} by {review.reviewer}: {shown} here, {theirs} in the file"
        )


def import_reviews(store: Store, path: Path | str) -> ImportReport:
    """Bring a review file's reviews into this data folder (see the module notes)."""
    header, cases = _read(path)
    report = ImportReport()
    run = store.get_run(header["run_id"])
    if run is None:
        _add_run(store, header, cases)
        report.run_added = True
    elif run.policy_hash != header["policy_hash"]:
        raise ReviewError(
            "This review file is from another policy version than the run here; "
            "import it where that version's run is."
        )
    # under the format it used, as everywhere (the record read above; a run just added is read back)
    loaded = stored_run(store, run if run is not None else header["run_id"])
    output, here = loaded.output, {r.case_id: r for r in loaded.results}
    for case in cases:
        case_id = str(case.get("case_id"))
        local = here.get(case_id)
        if local is None:
            report.missing.append(case_id)
        elif text_hash(local.content) != case.get("content_hash"):
            report.changed.append(case_id)
        else:
            for data in case.get("reviews") or []:
                data = {**data, "run_id": header["run_id"], "case_id": case_id}
                _import_review(store, data, report, output)
    return report
