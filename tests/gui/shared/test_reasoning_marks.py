"""Quote and rule marks found in the model's reasoning (Qt-free part of the result view)."""

from __future__ import annotations

from app.gui.shared.reasoning_marks import find_marks, quote_marks

CONTENT = "Earn $2 per click 💰 no experience needed, free money for everyone"
POLICY = "SP2.a Unsolicited offers of easy money."


def _quotes(reasoning: str) -> list[str]:
    return [m.value for m in quote_marks(reasoning, CONTENT, POLICY)]


def test_a_short_quote_does_not_hide_the_quotes_after_it() -> None:
    reasoning = 'It says "no" and then "free money" and "experience needed".'
    assert _quotes(reasoning) == ["free money", "experience needed"]


def test_symbols_and_short_amounts_are_marked_when_they_occur() -> None:
    reasoning = 'The "💰" and "$2" lure, plus "free money", match "easy money".'
    assert _quotes(reasoning) == ["💰", "$2", "free money", "easy money"]


def test_offsets_point_at_the_phrase() -> None:
    reasoning = 'A "no", a "x", then “per click” under SP2.a.'
    marks = find_marks(reasoning, CONTENT, POLICY, {"SP2.a"})
    for mark in marks:
        assert reasoning[mark.start : mark.end] == mark.value
    assert [(m.kind, m.value) for m in marks] == [("quote", "per click"), ("rule", "SP2.a")]


def test_plain_words_of_one_or_two_letters_are_not_marked() -> None:
    assert _quotes('Words "no", "a" and "to" are everywhere.') == []
