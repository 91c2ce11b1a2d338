"""Qt's system libraries: which package is missing is named, before Qt aborts."""

from __future__ import annotations

from app.gui import app as gui_app
from app.gui.shared import system_libs
from app.gui.shared.system_libs import (
    QT_LIBRARIES,
    XCB_LIBRARIES,
    missing_message,
    missing_packages,
)

EVERYTHING = set(QT_LIBRARIES) | set(XCB_LIBRARIES)


def test_missing_xcb_cursor_names_its_package():
    missing = missing_packages(EVERYTHING - {"libxcb-cursor.so.0"})
    assert missing == {"libxcb-cursor0": "libxcb-cursor.so.0"}
    message = missing_message(missing)
    assert "libxcb-cursor0" in message and "apt-get install libxcb-cursor0" in message
    assert missing_packages(EVERYTHING) == {}
    assert missing_packages(set(QT_LIBRARIES), with_xcb=False) == {}
    assert "libxcb-icccm4" in missing_packages(set(QT_LIBRARIES))


def test_the_xcb_plugin_is_only_checked_when_qt_will_load_it():
    assert system_libs.uses_xcb({"DISPLAY": ":0"})
    assert system_libs.uses_xcb({"QT_QPA_PLATFORM": "xcb"})
    assert not system_libs.uses_xcb({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"})
    assert not system_libs.uses_xcb({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"})


def test_the_app_says_which_package_is_missing_instead_of_starting(monkeypatch, capsys):
    monkeypatch.setattr(system_libs.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(
        system_libs, "installed_libraries", lambda: EVERYTHING - {"libxcb-keysyms.so.1"}
    )
    assert gui_app.run_gui([]) == 1
    assert "libxcb-keysyms1" in capsys.readouterr().err


def test_the_check_reads_the_real_loader_cache():
    available = system_libs.installed_libraries()
    assert available is None or any(name.startswith("libc.so") for name in available)
