"""One case's latest run in the case table: its state, live text, result and staleness.

``ResultEntry`` is what ``CaseTableModel`` keeps per case id and what the result view shows;
``text_key`` digests the policy text and case content an entry was computed for, so the
model can tell when it turned stale; the entry's result names the model that answered it
(``ClassifyResult.model``: :func:`app.runs.backends.config.model_filter`'s key, read by
:func:`model_label`), so the table can mark a result of another model than the one now
chosen. ``STATUS_TEXT`` / ``KIND_TEXT`` are the words the
Status column shows for an entry's state and verdict kind.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.core.policy import OutputFormat
from app.core.run_types import ClassifyResult
from app.core.verdict import VerdictStatus, status_word
from app.scoring.outcome import is_right


def text_key(text: str) -> str:
    """A short digest of a text, to tell later whether it changed."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class ResultEntry:
    """The latest run of one case: its state, live text and final result."""

    state: str = "queued"  # queued / running / done / failed / cancelled
    policy_key: str = ""
    content_key: str = ""
    analysis: str = ""
    final: str = ""
    result: ClassifyResult | None = None
    error: str = ""
    stale: bool = False
    cached: bool = False  # the result came from the result cache, not the engine
    waited: float = 0.0  # seconds a server has had this running case without answering

    def waiting_text(self) -> str:
        """'waiting for the server · 40 s' while a server sits on this case, else ''."""
        if self.state != "running" or self.waited <= 0:
            return ""
        return f"waiting for the server · {self.waited:.0f} s"

    def state_text(self) -> str:
        """The case table's word for a case not done: 'queued', 'running…', 'waiting for
        the server · 40 s', 'error'...; '' once it has a result."""
        return self.waiting_text() or STATUS_TEXT.get(self.state, "")

    @property
    def verdict_kind(self) -> str:
        """violates / safe / no_verdict / error / pending, for badges and colours."""
        if self.state == "failed":
            return "error"
        if self.result is None:
            return "pending"
        verdict = self.result.verdict
        if verdict.status is VerdictStatus.OK:
            return "violates" if verdict.violates else "safe"
        return "error" if verdict.status is VerdictStatus.ERROR else "no_verdict"

    def agrees_with(self, expected: str, output: OutputFormat) -> bool:
        """The result is right for the expected value (:func:`app.scoring.outcome.is_right`)."""
        return self.result is not None and is_right(self.result.verdict, output, expected=expected)

    @property
    def label(self) -> str:
        if self.result is not None and self.result.verdict.ok:
            return self.result.verdict.label or ""
        return ""

    @property
    def model(self) -> str:
        """The key of the model that answered ('' when not known)."""
        return self.result.model if self.result is not None else ""

    def outdated(self, policy_key: str, content: str) -> bool:
        """True when this entry was computed for another policy text or case content."""
        return self.policy_key != policy_key or self.content_key != text_key(content)


def model_label(key: str) -> str:
    """A model key for people: 'tiny.gguf', 'gpt-oss at http://host:8000', or 'the model
    of http://host:8000' (a server's only model)."""
    if not key.startswith("remote:"):
        return key or "no model"
    url, _, model = key.removeprefix("remote:").partition("#")
    return f"{model} at {url}" if model else f"the model of {url}"


def predicted_text(entry: ResultEntry | None) -> str:
    """The Predicted column: the label, or the status in the words Metrics uses ('no
    verdict', 'unparsable', 'error'), or '' while not done."""
    if entry is None or entry.state in ("queued", "running", "cancelled"):
        return ""
    if entry.verdict_kind == "error" or entry.result is None:
        return status_word(VerdictStatus.ERROR)
    if entry.verdict_kind == "no_verdict":
        return status_word(entry.result.verdict.status)
    if entry.result is not None and entry.result.verdict.ok:
        return entry.result.verdict.display_label()  # "INVALID SP3 ESCALATE"
    return entry.label


STATUS_TEXT = {
    "queued": "queued",
    "running": "running…",
    "cancelled": "cancelled",
    "failed": "error",
}
KIND_TEXT = {"violates": "violates", "safe": "does not violate"}  # else predicted_text
