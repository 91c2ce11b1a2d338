"""Properties of the verdict parser: any answer text is read without raising, and a
verdict is never invented from text that names no label."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.policy import OutputFormat
from app.core.verdict import VerdictStatus, parse_verdict

FORMATS = [
    OutputFormat(),
    OutputFormat("labels", ("VALID", "INVALID"), ("INVALID",)),
    OutputFormat("json"),
    OutputFormat("labels", ("SP0", "SP2", "SP3"), ("SP2", "SP3")),
]
REASONS = st.sampled_from(["return", "budget", "cancelled", "endoftext"])
# letters and signs that cannot spell a label, a digit or a yes/no/true/false/safe word
NO_LABEL = st.text(alphabet="bcghkmqwxz .,;:!?-_()[]\"'\n\t*#", max_size=80)


@given(final=st.one_of(st.none(), st.text(max_size=200)), fmt=st.sampled_from(FORMATS),
       reason=REASONS)  # fmt: skip
def test_any_answer_is_read_without_raising(final, fmt, reason) -> None:
    verdict = parse_verdict(final, fmt, stop_reason=reason)
    if verdict.status == VerdictStatus.OK:
        assert verdict.label in fmt.labels or fmt.kind == "json"
    else:
        assert verdict.label is None and verdict.message  # a reason is always given


@given(final=NO_LABEL, fmt=st.sampled_from(FORMATS), reason=REASONS)
def test_no_verdict_from_text_that_names_no_label(final, fmt, reason) -> None:
    verdict = parse_verdict(final, fmt, stop_reason=reason)
    assert verdict.status != VerdictStatus.OK and verdict.label is None, (final, verdict)
