"""Reviews: a person's check of one answer of a run (the table's SQL: :mod:`app.store.reviews`).

One row of the ``reviews`` table per run, case and reviewer (a re-review replaces the row,
so there are never two reviews of one case by one person). A row records who, when, the
policy version and the content hash of the case at the time, the label chosen, the model's
label at the time, the seconds spent, a note, and the state:

* ``done`` — a label chosen (the model's, accepted, or another, a correction);
* ``skip`` — passed over, no label;
* ``unsure`` — the reviewer could not tell (the case becomes a triage item).

``gold`` holds the known label of a *gold item* (a case mixed into the queue unmarked to
measure the reviewer); ``old_expected`` the test set's expected label before the review
wrote its own, and ``applied`` whether that write has been made (so a crash between the
row and the file write is finished on the next open, see :mod:`app.runs.review.session`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, fields

from app.core.policy import OutputFormat, normalize_label

STATES = ("done", "skip", "unsure")
NAME_LIMIT = 80


class ReviewError(ValueError):
    """A review that cannot be recorded; the message says what to do."""


@dataclass
class Review:
    run_id: str
    case_id: str
    reviewer: str
    policy_hash: str
    content_hash: str
    label: str = ""
    model_label: str = ""
    state: str = "done"
    note: str = ""
    seconds: float = 0.0
    gold: str = ""
    old_expected: str | None = None
    applied: bool = False
    created: float = 0.0

    @property
    def corrected(self) -> bool:
        return self.state == "done" and self.label != self.model_label

    def to_dict(self) -> dict:
        return asdict(self)


COLUMNS = [f.name for f in fields(Review)]


def check_reviewer(name: str) -> str:
    """The reviewer name, trimmed; a ReviewError for an empty or unprintable one."""
    text = (name or "").strip()
    if not text:
        raise ReviewError("Set your reviewer name in Settings before reviewing.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        raise ReviewError(
            "A reviewer name cannot hold control characters (tabs, line breaks); type it again."
        )
    if len(text) > NAME_LIMIT:
        raise ReviewError(f"A reviewer name is at most {NAME_LIMIT} characters; shorten it.")
    return text


def review_choices(output: OutputFormat) -> list[str]:
    """What a reviewer can pick: the policy's tiers when it has them, else its labels."""
    return list(output.tiers) if output.tiers else list(output.labels)


def check_label(label: str, output: OutputFormat) -> str:
    """The policy's own spelling of ``label``; a ReviewError when it is not one of its labels."""
    choices = review_choices(output)
    spelled = normalize_label(str(label), output) if str(label).strip() else None
    if spelled in choices:
        return spelled
    if spelled is not None and output.tier_of_label(spelled) in choices:
        return output.tier_of_label(spelled)
    raise ReviewError(
        f"'{str(label)[:40]}' is not one of this policy's labels ({', '.join(choices)}); "
        "pick one of those."
    )


def progress_text(total: int, reviews: list[Review]) -> str:
    """ "37 of 200 reviewed · 4 corrected" (skipped cases do not count as reviewed)."""
    reviewed = sum(r.state != "skip" for r in reviews)
    corrected = sum(r.corrected for r in reviews)
    return f"{reviewed} of {total} reviewed · {corrected} corrected"
