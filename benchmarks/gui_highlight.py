"""Keystroke-to-highlight time in the policy editor on a ~10,000-token policy.

Run: ``python -m benchmarks.gui_highlight`` (offscreen unless QT_QPA_PLATFORM is set).

Builds a long policy by repeating a realistic section with fresh rule codes, shows a
``PolicyPanel``, then types single keystrokes (letters, Return, Backspace) in the middle of
the text. For each one it measures the time from sending the key event until the
highlighter has re-applied formats to the edited block (events processed until then), and
prints the median and maximum against the 16 ms frame target. It also prints the time of a
full re-lex, of the debounced analysis (outline, lint, token estimate) and of one repaint.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent, QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.policy import estimate_tokens  # noqa: E402
from app.gui.policy.highlighter import PolicyHighlighter  # noqa: E402
from app.gui.policy.panel import PolicyPanel  # noqa: E402

TARGET_MS = 16.0
SECTION = """\
## Criteria {n}
Violates:
- SP{n} Bulk or *unsolicited* promotion sent to people who did not ask for it.
- SP{n}.a The same promotion repeated or sent to many people, see SP{n}.
- SP{n}.b Links, contacts or ads dropped into an **unrelated** conversation.
- SP{n}.c Requests for credentials; fake log-in, delivery, bank or support notices.

Does not violate:
- SP0.{n} One promotion that fits where it is posted, without deception.

## Examples {n}
- "Your parcel is held. Pay the $2 fee at `parcel-help.example` today." → 1, SP{n}.c
- "[Local market group] I bake birthday cakes, message me." → 0, SP0.{n}
- "Earn $900 a day from home, link in bio! 😀" → 1, SP{n}.b

"""
HEADER = """\
---
name: Long benchmark policy
format: json
---
# Spam and scams (long)

## Instructions
Output format: one JSON object: {"violation": 0 or 1, "policy_category": "<code>"}.

"""


def build_policy(target_tokens: int = 10_000) -> str:
    parts, n = [HEADER], 1
    while estimate_tokens("".join(parts)) < target_tokens:
        parts.append(SECTION.format(n=n))
        n += 1
    parts.append('Output format, again: only {"violation": 0 or 1, "policy_category": "<code>"}.\n')
    return "".join(parts)


class _Probe:
    """Records when the highlighter applies formats to a watched block."""

    watched = -1
    applied_at = 0.0


def _install_probe() -> None:
    original = PolicyHighlighter.highlightBlock

    def timed(self: PolicyHighlighter, text: str) -> None:
        original(self, text)
        if self.currentBlock().blockNumber() == _Probe.watched:
            _Probe.applied_at = time.perf_counter()

    PolicyHighlighter.highlightBlock = timed  # type: ignore[method-assign]


def _key(text: str) -> QKeyEvent:
    keys = {"\r": Qt.Key.Key_Return, "\b": Qt.Key.Key_Backspace}
    key = keys.get(text, Qt.Key.Key_X)
    return QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, text)


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    _install_probe()
    text = build_policy()
    panel = PolicyPanel()
    panel.resize(900, 800)
    panel.set_text(text)
    panel.show()
    app.processEvents()
    editor = panel.editor
    doc = editor.document()
    print(f"policy: {estimate_tokens(text):,} tokens (estimate), {len(text):,} chars, "
          f"{doc.blockCount():,} lines")  # fmt: skip

    # Type in the middle: at the end of a rule line near the middle of the document.
    middle = doc.findBlockByNumber(doc.blockCount() // 2)
    while middle.isValid() and not middle.text().startswith("- SP"):
        middle = middle.next()
    cursor = QTextCursor(middle)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    editor.setTextCursor(cursor)
    editor.centerCursor()
    app.processEvents()

    keys = ["x", "y", " ", "z", "\r", "S", "P", "9", "\b", "\b", "w"] * 12
    samples: dict[str, list[float]] = {"char": [], "Return": [], "Backspace": []}
    misses = 0
    for key in keys:
        _Probe.watched = editor.textCursor().blockNumber()
        if key == "\r":
            _Probe.watched += 1  # the new line is the block the cursor moves to
        _Probe.applied_at = 0.0
        start = time.perf_counter()
        QApplication.sendEvent(editor, _key(key))
        deadline = start + 1.0
        while _Probe.applied_at == 0.0 and time.perf_counter() < deadline:
            app.processEvents()
        if _Probe.applied_at == 0.0:
            misses += 1
            continue
        kind = {"\r": "Return", "\b": "Backspace"}.get(key, "char")
        samples[kind].append((_Probe.applied_at - start) * 1000)
        app.processEvents()  # repaint before the next key, like a real frame

    every = [ms for values in samples.values() for ms in values]
    median, worst = statistics.median(every), max(every)
    verdict = "OK" if worst <= TARGET_MS else "OVER"
    print(f"keystroke-to-highlight ({len(every)} keys): median {median:.2f} ms, "
          f"max {worst:.2f} ms (target {TARGET_MS:.0f} ms: {verdict})")  # fmt: skip
    for kind, values in samples.items():
        if values:
            print(f"  {kind:9s} n={len(values):3d} median {statistics.median(values):6.2f} ms"
                  f"  max {max(values):6.2f} ms")  # fmt: skip
    if misses:
        print(f"  {misses} keystrokes never reached the highlighter (bug)")
    hl = panel.highlighter
    print(f"  incremental re-lexes: {hl.partial_relexes}, full re-lexes: {hl.full_relexes}")

    full = []
    for _ in range(5):
        start = time.perf_counter()
        hl.relex_all()
        full.append((time.perf_counter() - start) * 1000)
    print(f"full re-lex + re-apply of every block: median {statistics.median(full):.1f} ms")
    analysis = []
    for _ in range(5):
        start = time.perf_counter()
        panel.refresh_analysis()
        analysis.append((time.perf_counter() - start) * 1000)
    print(
        f"debounced analysis (tokens, outline, lint): median {statistics.median(analysis):.1f} ms"
    )
    start = time.perf_counter()
    editor.viewport().repaint()
    print(f"one editor repaint: {(time.perf_counter() - start) * 1000:.1f} ms")
    panel.close()
    return 0 if worst <= TARGET_MS and not misses else 1


if __name__ == "__main__":
    raise SystemExit(main())
