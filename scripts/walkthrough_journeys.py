"""The longer journeys of :mod:`scripts.walkthrough` (issue 21), on the real window:

- :func:`tab_tour`: Tab from the policy editor through every focusable widget and around
  back to it, then Shift+Tab the other way; the policy text, every case's fields and both
  undo stacks must be unchanged afterwards, and every visible focusable widget reached.
- :func:`check_fits`: the window's frame (or a dialog's) within the screen's available
  geometry (there is no window manager to keep it there).
- :func:`check_labels`: no visible button or one-line label of a window shows less than its
  text (a button narrower or lower than its text is cut with no "…" to say so).
- :func:`check_no_sideways`: no scrolled page (Metrics, Triage, Robustness) is wider than
  its tab.
- :func:`hanging_server`: Run all against a loopback server that takes each case and never
  answers: the row and the status bar count "waiting for the server · N s", then the run
  stops after three silent cases with one sentence.

Each raises :class:`WalkthroughError` with what went wrong; the walkthrough exits 1.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

from scripts.devtools import pump, wait_until

Shot = Callable[[str], None]
SILENCE_S = 2  # options.REMOTE_SILENCE for the hanging server: its smallest allowed value
MAX_PRESSES = 200  # a Tab tour longer than this never came back: a focus trap


class WalkthroughError(RuntimeError):
    """A journey that went wrong; the message says what and where."""


def _name(widget: QWidget | None) -> str:
    if widget is None:
        return "nothing"
    words = widget.objectName() or widget.accessibleName()
    if not words and isinstance(widget, (QAbstractButton, QLabel, QLineEdit)):
        words = widget.text() or getattr(widget, "placeholderText", lambda: "")()
    return f"{type(widget).__name__}({words[:30]})" if words else type(widget).__name__


def check_fits(widget: QWidget, step: str) -> None:
    """The frame of ``widget`` (a window or a dialog) lies within the available screen."""
    pump(0.2)
    screen = (widget.screen() or QApplication.primaryScreen()).availableGeometry()
    frame = widget.frameGeometry()
    if not screen.contains(frame):
        raise WalkthroughError(
            f"{step}: {_name(widget)} at {frame.x()},{frame.y()} {frame.width()}×"
            f"{frame.height()} is not within the screen's {screen.width()}×{screen.height()}."
        )


def cut_labels(widget: QWidget) -> list[str]:
    """The visible buttons and one-line labels under ``widget`` (itself included) that are
    narrower or lower than their text needs."""
    cut = []
    for child in [widget, *widget.findChildren(QWidget)]:
        if not child.isVisible() or not isinstance(child, (QAbstractButton, QLabel)):
            continue
        if not child.text() or child.width() <= 0:
            continue
        if isinstance(child, QLabel):
            ignored = child.sizePolicy().horizontalPolicy() == QSizePolicy.Policy.Ignored
            if child.wordWrap() or ignored or child.pixmap() and not child.pixmap().isNull():
                continue
        size, need = child.size(), child.minimumSizeHint()
        if size.width() < need.width() or size.height() < need.height():
            cut.append(f"{_name(child)} {size.width()}×{size.height()} px < "
                       f"{need.width()}×{need.height()}")  # fmt: skip
    return cut


def check_labels(widget: QWidget, step: str) -> None:
    """No button or one-line label of ``widget`` is narrower than its text."""
    cut = cut_labels(widget)
    if cut:
        raise WalkthroughError(f"{step}: text cut off in {', '.join(cut)}.")


def check_no_sideways(widget: QWidget, step: str) -> None:
    """No page of ``widget`` scrolled in a QScrollArea (Metrics, Triage, Robustness) is
    wider than its tab: a page scrolls down on a small screen, never sideways."""
    wide = [
        _name(area.widget())
        for area in widget.findChildren(QScrollArea)
        if type(area) is QScrollArea and area.isVisible() and area.horizontalScrollBar().isVisible()
    ]
    if wide:
        raise WalkthroughError(f"{step}: {', '.join(wide)} scrolls sideways in its tab.")


def check_window(widget: QWidget, step: str) -> None:
    """``widget`` lies within the screen and cuts none of its buttons' or labels' text."""
    check_fits(widget, step)
    check_labels(widget, step)


def snapshot(window) -> tuple:
    """What no key that moves focus may change: the policy text, every field of every
    case, and where both undo stacks stand."""
    stack, document = window.case_panel.undo_stack, window.policy_panel.editor.document()
    cases = [dataclasses.asdict(case) for case in window.case_panel.cases()]
    return (window.policy_panel.editor.toPlainText(), cases, stack.count(), stack.index(),
            document.availableUndoSteps(), document.availableRedoSteps())  # fmt: skip


def _focusable(window) -> set[QWidget]:
    """The visible, enabled widgets of the window that Tab can reach."""
    found = set()
    for widget in window.findChildren(QWidget):
        policy = widget.focusPolicy()
        if (policy.value & Qt.FocusPolicy.TabFocus.value) != Qt.FocusPolicy.TabFocus.value:
            continue
        shown = widget.isVisible() and widget.isEnabled() and widget.window() is window
        if shown and widget.focusProxy() is None:
            found.add(widget)
    return found


def _press(key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> QWidget | None:
    target = QApplication.focusWidget()
    QTest.keyClick(target, key, modifiers)
    pump(0.03)
    return QApplication.focusWidget()


def _tour(editor: QWidget, backwards: bool, stops: dict[str, Callable], shot: Shot) -> list:
    """Tab (or Shift+Tab) from the editor until the focus is back on it."""
    editor.setFocus()
    pump(0.1)
    if backwards:  # without a selection Shift+Tab leaves the editor
        step = lambda: _press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)  # noqa: E731
        first = step()
    else:  # the editor keeps Tab (it types a tab); Ctrl+Tab is its way out
        step = lambda: _press(Qt.Key.Key_Tab)  # noqa: E731
        first = _press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    visited, focus = [first], first
    while focus is not editor:
        for name, reached in list(stops.items()):
            if reached(focus):
                shot(name)
                del stops[name]
        if len(visited) > MAX_PRESSES:
            trail = " → ".join(_name(w) for w in visited[-8:])
            raise WalkthroughError(f"Tab never came back to the policy editor: ... {trail}")
        focus = step()
        visited.append(focus)
    return visited


def tab_tour(window, shot: Shot) -> None:
    """Tab around the whole window and back, Shift+Tab likewise; nothing may change."""
    editor, cases = window.policy_panel.editor, window.case_panel
    before = snapshot(window)
    forward_stops = {
        "tab-case-table": lambda w: w is cases.table,
        "tab-expected": lambda w: w is cases.editor.expected_combo,
    }
    forward = _tour(editor, False, forward_stops, shot)
    backward = _tour(editor, True, {"shift-tab-outline": _in_outline(window)}, shot)
    after = snapshot(window)
    if after != before:
        changed = [name for name, a, b in zip(_PARTS, before, after, strict=True) if a != b]
        raise WalkthroughError(f"Tab and Shift+Tab changed {', '.join(changed)}.")
    missed = _focusable(window) - set(forward) - {None}
    if missed:
        names = ", ".join(sorted(_name(w) for w in missed))
        raise WalkthroughError(f"Tab never reached {len(missed)} focusable widgets: {names}.")
    if set(forward) != set(backward):
        odd = set(forward) ^ set(backward)
        names = ", ".join(sorted(_name(w) for w in odd))
        raise WalkthroughError(f"Tab and Shift+Tab reach different widgets: {names}.")
    if forward_stops:
        raise WalkthroughError(f"Tab never reached {', '.join(forward_stops)}.")
    print(f"Tab: {len(forward)} stops around the window and back, nothing changed:")
    print("  " + " → ".join(_name(w) for w in forward))


_PARTS = ("the policy text", "the cases", "the case undo stack's size",
          "the case undo stack's position", "the policy's undo steps", "its redo steps")  # fmt: skip


def _in_outline(window) -> Callable[[QWidget | None], bool]:
    outline = window.policy_panel.outline
    return lambda w: w is not None and (w is outline or outline.isAncestorOf(w))


def hanging_server(policy: Path, shot: Shot) -> None:
    """Run all on a server that never answers: the waiting state, then the stop."""
    from app.gui.app import create_main_window
    from app.gui.cases.model import Column
    from app.gui.shared import options
    from app.gui.shared.settings_store import open_settings
    from tests.bad_inputs.servers import hanging
    from tests.support.fake_server import fake_server

    with fake_server(hanging(hang_s=SILENCE_S * 4 + 2)) as (url, _handler):
        settings = open_settings()
        settings.setValue("engine/backend", "remote")
        settings.setValue("remote/base_url", url)
        settings.setValue(options.REMOTE_SILENCE.key, SILENCE_S)
        window = create_main_window(None, settings=settings, policy_path=policy)
        window.show()
        window.activateWindow()
        wait_until(lambda: bool(window.case_panel.cases()), 10)
        first = window.case_panel.cases()[0].id
        model = window.case_panel.model

        def row_status() -> str:
            return str(model.index(model.row_of(first), Column.STATUS).data())

        ended: list = []
        window.runner.runEnded.connect(ended.append)
        keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        QTest.keyClick(window, Qt.Key.Key_Return, keys)  # Run all
        if not wait_until(lambda: "waiting for the server · 1 s" in row_status(), 8):
            raise WalkthroughError(f"The row of a silent case says {row_status()!r}.")
        label = window.status.engine_label.text()
        if "Waiting for the server · " not in label:
            raise WalkthroughError(f"The status bar says {label!r} while the server is silent.")
        check_window(window, "waiting for the server")
        shot("server-waiting")
        if not wait_until(lambda: bool(ended), SILENCE_S * 3 + 15):
            raise WalkthroughError("The run on a silent server did not stop by itself.")
        message = ended[0].message
        if ended[0].status != "failed" or "3 cases in a row" not in message:
            raise WalkthroughError(f"The run on a silent server ended with {message!r}.")
        box = window.engine_message_box
        wait_until(box.isVisible, 3)
        check_window(box, "the silent server's message")
        check_window(window, "after the silent server")
        shot("server-stopped")
        print(f"Silent server: {message}")
        box.close()
        window.policy_panel.set_modified(False)
        window.case_panel.set_modified(False)
        window.close()
        window.shutdown()
        pump(0.1)
