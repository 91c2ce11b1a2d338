"""A long status message is read whole at 1024×700: after a run on a silent server stopped,
the sentence (a server address and what to do) was cut where the right-hand indicators
begin. It now wraps left of them and the bar grows to the lines it needs."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics, QTextLayout, QTextOption

SENTENCE = (
    "The server at http://127.0.0.1:41651 took 3 cases in a row and sent nothing back for "
    "2 s each, so the run stopped; check that the server is running and not stuck, then "
    "run again."
)


def _lines(text: str, font, width: int) -> int:
    """Lines ``text`` takes wrapped at word boundaries in ``width`` px."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    count = 0
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        count += 1
    layout.endLayout()
    return count


def _whole(status) -> bool:
    """The message label shows every line of the message, left of the indicators, in a
    bar no taller than those lines."""
    label = status.message_label
    lines = _lines(label.text(), label.font(), label.contentsRect().width())
    right = min(
        w.geometry().left() for w in (status.engine_label, status.engine_badge) if w.isVisible()
    )
    fits_height = label.contentsRect().height() >= lines * QFontMetrics(label.font()).lineSpacing()
    inside = status.rect().contains(label.geometry())
    snug = label.height() < (lines + 1) * QFontMetrics(label.font()).lineSpacing()
    return (
        label.isVisible() and fits_height and snug and inside and label.geometry().right() < right
    )


def test_a_long_message_is_read_whole_at_1024_by_700(qtbot, workbench) -> None:
    workbench.resize(1024, 700)
    status = workbench.status
    status.set_engine_state("error", "")
    workbench.show_message(SENTENCE)
    qtbot.waitUntil(lambda: status.message_label.text() == SENTENCE)
    qtbot.wait(50)
    assert status.currentMessage() == SENTENCE
    assert _lines(SENTENCE, status.font(), status.message_label.width()) > 1  # it had to wrap
    assert _whole(status)
    workbench.resize(1280, 800)  # wider: fewer lines, still whole
    qtbot.wait(50)
    assert _whole(status)
    status.clearMessage()
    qtbot.waitUntil(lambda: status.message_label.text() == "")
    qtbot.wait(50)
    assert status.height() < 2 * QFontMetrics(status.font()).lineSpacing() + 12  # one line again


def test_a_short_message_keeps_the_bar_one_line(qtbot, workbench) -> None:
    workbench.resize(1024, 700)
    status = workbench.status
    before = status.height()
    workbench.show_message("Results CSV saved.")
    qtbot.waitUntil(lambda: status.message_label.text() == "Results CSV saved.")
    qtbot.wait(50)
    assert _whole(status)
    assert status.height() == before


def test_the_bar_shrinks_back_when_the_run_widgets_go(qtbot, workbench) -> None:
    """The stop's sentence comes while the progress bar and Cancel still take room (more
    lines); when they go, the message widens and the bar takes fewer lines again."""
    workbench.resize(1024, 700)
    status = workbench.status
    status.set_running(True)
    status.set_engine_state("waiting", "2 s")  # the indicators as wide as while waiting
    status.engine_badge.setText("server 127.0.0.1:41651 · 55 tok/s")
    qtbot.wait(50)
    workbench.show_message(SENTENCE)
    qtbot.waitUntil(lambda: status.message_label.text() == SENTENCE)
    qtbot.wait(50)
    assert _whole(status)
    status.set_running(False)
    status.set_engine_state("error", "")
    qtbot.wait(50)
    assert _whole(status)
