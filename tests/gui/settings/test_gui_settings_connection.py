"""Settings ▸ Test connection at the dialog's own size (issue 21.5): every sentence it can
say — connected on the chat API (with the warning about special tokens), a /v1 URL, a
server that is down — is readable without resizing, and the dialog fits 1024×700."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QPoint, QRect, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.gui.settings.dialog import SettingsDialog  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from tests.bad_inputs.servers import answering  # noqa: E402
from tests.bad_inputs.test_servers import free_port  # noqa: E402
from tests.support.fake_server import fake_server  # noqa: E402

TIMEOUT = 20000


@pytest.fixture
def dialog(qtbot, tmp_path, monkeypatch):
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        monkeypatch.setenv(f"SAFEGUARD_{name}_DIR", str(tmp_path / name.lower()))
    screen = QApplication.primaryScreen()
    monkeypatch.setattr(screen, "availableGeometry", lambda: QRect(0, 0, 1024, 700))
    dlg = SettingsDialog(open_settings())
    qtbot.addWidget(dlg)
    dlg.show_backend("remote")
    dlg.show()
    qtbot.waitExposed(dlg)
    yield dlg
    dlg.reject()


def _test(qtbot, dlg: SettingsDialog, url: str) -> str:
    page = dlg.backend_page
    page.url_edit.clear()
    QTest.keyClicks(page.url_edit, url)
    with qtbot.waitSignal(page.controller.connectionTested, timeout=TIMEOUT):
        QTest.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.wait(50)  # the layout settles
    return page.result_label.text()


def _readable(dlg: SettingsDialog) -> None:
    label = dlg.backend_page.result_label
    assert dlg.width() <= 1024 and dlg.height() <= 700
    assert label.isVisible()
    top_left = label.mapTo(dlg, QPoint(0, 0))
    inside = QRect(top_left, label.size())
    assert dlg.rect().contains(inside), (inside, dlg.rect())
    needed = label.heightForWidth(label.width())
    assert needed <= label.height(), f"{needed} px of text in {label.height()} px"
    assert label.width() >= 300  # a column of a few words per line is not readable either


def test_a_chat_server_at_a_v1_url_connects_and_the_warning_is_readable(qtbot, dialog) -> None:
    with fake_server(answering()) as (url, _handler):
        text = _test(qtbot, dialog, url + "/v1")
    assert text.startswith(f"Connected to {url}: model 'm'")
    assert "llama-server is the injection-safe choice" in text
    _readable(dialog)


def test_a_server_that_is_down_is_readable(qtbot, dialog) -> None:
    text = _test(qtbot, dialog, f"http://127.0.0.1:{free_port()}")
    assert text.startswith("Cannot reach the server")
    _readable(dialog)


def test_the_local_page_has_no_gap_the_height_of_the_server_form(qtbot, tmp_path, monkeypatch):
    """The stack of backend pages was as tall as the server form, so on the local page a
    blank band ran between its rows and the run settings (seen in the walkthrough)."""
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        monkeypatch.setenv(f"SAFEGUARD_{name}_DIR", str(tmp_path / name.lower()))
    dlg = SettingsDialog(open_settings())
    qtbot.addWidget(dlg)
    dlg.show_backend("local")
    dlg.show()
    qtbot.waitExposed(dlg)
    page = dlg.backend_page
    local, remote = page.stack.widget(0), page.stack.widget(1)
    assert remote.sizeHint().height() > local.sizeHint().height() + 40  # the premise
    assert page.stack.height() <= local.sizeHint().height() + 10
    combo = page.backend_combo
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)  # the server page: it gets its full height
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 1, timeout=2000)
    qtbot.wait(50)
    assert page.stack.height() >= remote.minimumSizeHint().height()
    assert remote.height() >= remote.minimumSizeHint().height()
    dlg.reject()


@pytest.mark.parametrize("backend", ["local", "remote"])
def test_the_settings_fields_start_in_one_column(qtbot, dialog, backend) -> None:
    """The engine's rows (Model file…, or Base URL…) and the general rows (CPU threads…)
    are separate forms; their fields started at two different x, the engine's indented."""
    from PySide6.QtWidgets import QFormLayout

    dialog.show_backend(backend)
    qtbot.wait(20)
    lefts, label_lefts = set(), set()
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is None or field is None or not label.widget().isVisible():
                continue
            origin = label.widget().parentWidget().mapTo(dialog, QPoint(0, 0))
            lefts.add(field.geometry().left() + origin.x())
            label_lefts.add(label.geometry().left() + origin.x())
    assert len(lefts) == 1 and len(label_lefts) == 1, (lefts, label_lefts)
