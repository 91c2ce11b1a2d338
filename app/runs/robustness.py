"""A robustness run: seeded variants of a test set through the one run pipeline.

:func:`run_robustness` takes a :class:`RobustnessJob` (the clean run's
:class:`~app.runs.pipeline.selection.RunJob`, the families, variants per case, which cases) and
runs it on a :class:`~app.runs.pipeline.service.RunService`: first the clean cases (from the cache
when they ran before with the same policy version and settings), then every variant as a
case of its own (kind ``robustness``: cached by the variant's text like any result; the
policy prefix is the same for all, so each variant costs only its own tokens). A cancelled
or failed run stops there; running the same job again finds what was stored in the cache
and runs only the rest. The finished run is linked to its clean run
(:mod:`app.store.robustness`) and read back with :func:`load_report`.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.cases import TestCase
from app.core.errors import UserError
from app.core.fingerprint import text_hash
from app.core.policy import OutputFormat
from app.runs.pipeline.selection import RunJob, RunOutcome
from app.runs.pipeline.service import RunService
from app.runs.stored.history import flip_report
from app.runs.stored.robustness import stored_report
from app.scoring.edit_flips import edit_summary
from app.scoring.robustness import RobustnessReport
from app.store import Store
from app.store.robustness import load_run, save_run
from app.variants.families import Family, check_variant_count, resolve
from app.variants.generate import generate
from app.variants.records import RobustnessRecord
from app.variants.user_families import load_user_families
from app.variants.variant import Variant

WHICH = ("all", "selected", "violating", "allowed")
KIND = "robustness"
SUFFIX = "#robustness"  # the variant run's test-set path: the clean set's, marked
TAG = "robustness:"


class RobustnessError(UserError):
    """A robustness job that cannot run; the message says what to change."""


@dataclass(frozen=True)
class RobustnessJob:
    run: RunJob  # policy, cases, settings, backend, test-set path, samples
    families: tuple[str, ...]
    variants: int = 1
    which: str = "all"  # all / selected (run.selected_ids) / violating / allowed
    seed: int | None = None  # of the variants; None: the run's seed
    family_files: tuple[Path, ...] = ()
    user_folder: Path | None = None  # None: the data folder's robustness/
    against: str = ""  # an earlier robustness run: what the policy edit since then did


@dataclass(frozen=True)
class RobustnessStage:
    """Which part of a robustness run starts: "clean" or "variants", and its size."""

    stage: str
    total: int


@dataclass
class RobustnessOutcome:
    status: str  # finished / cancelled / failed
    message: str = ""
    run_id: str = ""
    clean_run_id: str = ""
    report: RobustnessReport | None = None
    variants: int = 0
    edit: list[str] = field(default_factory=list)  # per family: fixed / broke since ``against``


def allowed_label(output: OutputFormat) -> str:
    """The policy's own word for "does not violate" (what injected answers claim)."""
    return next((label for label in output.labels if not output.is_violating(label)), "0")


def pick_cases(cases: list[TestCase], job: RobustnessJob) -> list[TestCase]:
    """The cases a job attacks, or one sentence when there are none."""
    if job.which not in WHICH:
        raise RobustnessError(f"Unknown case choice '{job.which}'; use {', '.join(WHICH)}.")
    output = job.run.policy.output
    if job.which == "selected":
        wanted = set(job.run.selected_ids)
        picked = [c for c in cases if c.id in wanted]
    elif job.which in ("violating", "allowed"):
        violating = job.which == "violating"
        picked = [c for c in cases
                  if c.expected and output.is_violating(c.expected) == violating]  # fmt: skip
    else:
        picked = list(cases)
    if not picked:
        what = {"all": "", "selected": "selected ", "violating": "violating ",
                "allowed": "allowed "}[job.which]  # fmt: skip
        raise RobustnessError(
            f"The test set has no {what}cases to make variants of; label some or choose "
            "other cases."
        )
    return picked


def check_job(job: RobustnessJob) -> tuple[list[Family], list[TestCase]]:
    """The families and cases of a job without making a variant (quick enough for the GUI
    thread); FamilyError or RobustnessError with one sentence when it cannot run."""
    check_variant_count(job.variants)
    families = resolve(job.families, load_user_families(list(job.family_files), job.user_folder))
    return families, pick_cases(job.run.cases, job)


def prepare(job: RobustnessJob) -> tuple[list[Family], list[TestCase], list[Variant]]:
    """The families, cases and variants of a job (see :func:`check_job`)."""
    families, cases = check_job(job)
    seed = job.run.run.seed if job.seed is None else job.seed
    context = {"allowed": allowed_label(job.run.policy.output)}
    variants = generate(((c.id, c.content) for c in cases), families, job.variants, seed, context)
    return families, cases, variants


def variant_cases(variants: list[Variant], cases: list[TestCase]) -> list[TestCase]:
    """Each variant as a case: the clean case's expected label, its tags and a
    ``robustness:<family>`` tag."""
    by_id = {c.id: c for c in cases}
    out = []
    for v in variants:
        case = by_id[v.case_id]
        note = f"{v.family} variant {v.index + 1} of {case.id}"
        out.append(TestCase(v.id, v.text, case.expected, note, [*case.tags, TAG + v.family]))
    return out


def run_robustness(
    service: RunService,
    job: RobustnessJob,
    *,
    cancel: threading.Event | None = None,
    on_event: Callable[[object], None] | None = None,
) -> RobustnessOutcome:
    """Run the clean cases, then the variants, and report (see the module notes)."""
    emit = on_event or (lambda _event: None)
    cancel = cancel or threading.Event()
    families, cases, variants = prepare(job)
    if job.against and load_run(service.store, job.against) is None:
        raise RobustnessError(
            f"Run {job.against} is not a robustness run; give the id an earlier one printed."
        )
    emit(RobustnessStage("clean", len(cases)))
    clean_job = dataclasses.replace(job.run, cases=cases, selection="all", resume_run_id=None)
    clean = service.run(clean_job, cancel=cancel, on_event=emit)
    if clean.status != "finished" or not clean.run_id:
        return _stopped(clean, "the clean run")
    emit(RobustnessStage("variants", len(variants)))
    attack_job = dataclasses.replace(
        job.run, cases=variant_cases(variants, cases), selection="all", resume_run_id=None,
        cases_path=job.run.cases_path + SUFFIX, kind=KIND,
    )  # fmt: skip
    attacked = service.run(attack_job, cancel=cancel, on_event=emit)
    if attacked.status != "finished" or not attacked.run_id:
        return _stopped(attacked, "the variants", clean.run_id)
    record = RobustnessRecord(
        attacked.run_id, clean.run_id, text_hash(job.run.policy.text), job.run.cases_path,
        [f.name for f in families], job.variants,
        job.run.run.seed if job.seed is None else job.seed, job.run.samples, job.which,
    )  # fmt: skip
    save_run(service.store, record, variants)
    report = load_report(service.store, attacked.run_id)
    edit = (
        edit_summary(flip_report(service.store, job.against, attacked.run_id))
        if job.against
        else []
    )
    return RobustnessOutcome(
        "finished", attacked.message, attacked.run_id, clean.run_id, report, len(variants), edit
    )


def _stopped(outcome: RunOutcome, part: str, clean_run_id: str = "") -> RobustnessOutcome:
    if outcome.status == "cancelled":
        message = f"Cancelled during {part}; run it again to go on (what ran is cached)."
    else:
        message = outcome.message or f"{part.capitalize()} did not finish."
    status = "cancelled" if outcome.status == "cancelled" else "failed"
    return RobustnessOutcome(status, message, outcome.run_id, clean_run_id)


def load_report(store: Store, run_id: str) -> RobustnessReport:
    """The report of a stored robustness run (RobustnessError when it is not one)."""
    report = stored_report(store, run_id)
    if report is None:
        raise RobustnessError(f"Run {run_id} is not a robustness run; pick one from the list.")
    return report
