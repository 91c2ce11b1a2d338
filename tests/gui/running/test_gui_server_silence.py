"""Settings ▸ server: the silence limit per case (issue 21.3 follow-up). The window always
waited 300 s of silence per case, so a stop after three silent cases took 15 minutes; now
the limit is typed in Settings (range and default from app.gui.shared.options), the window's
runs use it, and the CLI reads the same value from the shared backend choice."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from app.core.cases import TestCase, cases_path_for, save_cases  # noqa: E402
from app.gui.app import create_main_window  # noqa: E402
from app.gui.settings.dialog import SettingsDialog  # noqa: E402
from app.gui.shared import options  # noqa: E402
from app.gui.shared.backend_values import backend_config  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from app.runs.backends.choice import read_choice  # noqa: E402
from tests.bad_inputs.servers import hanging  # noqa: E402
from tests.gui.running.test_gui_servers import close, env, shown  # noqa: E402, F401
from tests.support.fake_server import fake_server  # noqa: E402

CTRL = Qt.KeyboardModifier.ControlModifier


def _type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    QTest.keyClick(widget, Qt.Key.Key_A, CTRL)
    QTest.keyClicks(widget, text)


def test_the_silence_limit_is_set_in_settings_and_used_by_runs(qtbot, env) -> None:  # noqa: F811
    policy, _model = env
    save_cases(cases_path_for(policy), [TestCase(f"h{i}", f"content {i}", "1") for i in range(5)])
    assert options.REMOTE_SILENCE.default == 300.0  # the engine's own default
    with fake_server(hanging(hang_s=30)) as (url, handler):
        dialog = SettingsDialog(open_settings())
        qtbot.addWidget(dialog)
        dialog.show_backend("remote")
        dialog.show()
        qtbot.waitExposed(dialog)
        page = dialog.backend_page
        assert page.silence_spin.value() == 300
        assert (page.silence_spin.minimum(), page.silence_spin.maximum()) == (1, 3600)
        _type_into(qtbot, page.url_edit, url)
        _type_into(qtbot, page.silence_spin, "2")
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        assert backend_config(open_settings()).remote.read_timeout == 2.0
        assert read_choice()["timeout"] == 2.0  # the CLI's --timeout, when not given

        win = shown(qtbot, create_main_window(settings=open_settings(), policy_path=policy))
        started = time.monotonic()
        with qtbot.waitSignal(win.runner.runEnded, timeout=30000) as ended:
            QTest.keyClick(win, Qt.Key.Key_Return, CTRL | Qt.KeyboardModifier.ShiftModifier)
        took = time.monotonic() - started
        sent = [path for path, _b, _a in handler.log if path == "/v1/chat/completions"]
    sentence = f"The server at {url} took 3 cases in a row and sent nothing back for 2 s each"
    assert len(sent) == 3 and took < 20
    assert ended.args[0].status == "failed" and ended.args[0].message.startswith(sentence)
    win.engine_message_box.close()
    close(win)
