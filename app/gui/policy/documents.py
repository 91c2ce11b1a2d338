"""The open policy file and its test set: new, open, save, save as, recent files, recovery.

A document is a policy file plus the cases saved beside it (``cases_path_for``), and the
output format kept beside it when the writer corrected the format of a policy without front
matter (``policy.format.json``, :mod:`app.core.policy.sidecar`: read on open, written when
the correction is made, or on the first save of an untitled policy; the policy file itself
is never given the app's front matter that way). Policy and cases are written atomically
when the policy is saved. Unsaved policy edits are autosaved to a
recovery file a few seconds after the last keystroke; when the same policy (or an untitled
one) is opened later and its recovery file is newer than the saved file, the user is
offered the unsaved text back.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QSettings, QTimer, Signal, SignalInstance, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.cases import CasesError, TestCase, cases_path_for, load_cases, save_cases
from app.core.policy import OutputFormat, PolicyError, parse_policy, read_sidecar, write_sidecar
from app.core.storage_paths import atomic_write_text
from app.gui.policy.templates import BLANK_POLICY, newer_recovery, recovery_path_for
from app.gui.shared.file_dialogs import open_file, save_file
from app.gui.shared.settings_store import add_recent_file, recent_files

AUTOSAVE_MS = 3000
POLICY_FILTER = "Policies (*.md *.markdown *.txt);;All files (*)"

Button = QMessageBox.StandardButton


def _output_of(text: str) -> OutputFormat | None:
    """The policy's output format, to check its test set's labels on open; None when the
    policy states none (the test set then opens, and the format line says what to write)."""
    try:
        policy = parse_policy(text)
    except PolicyError:
        return None
    return (
        None if policy.format is not None and policy.format.source == "default" else policy.output
    )


class CaseSide(Protocol):
    """What the document needs of the case panel: the test set beside the policy."""

    modificationChanged: SignalInstance

    def cases(self) -> list[TestCase]: ...
    def set_cases(self, cases: list[TestCase]) -> None: ...
    def is_modified(self) -> bool: ...
    def set_modified(self, modified: bool) -> None: ...


class PolicyDocument(QObject):
    """File operations for the policy panel and case panel of one window."""

    pathChanged = Signal(str)  # "" for an untitled policy
    modifiedChanged = Signal(bool)
    recentChanged = Signal(list)
    message = Signal(str)

    def __init__(self, policy_panel, case_panel: CaseSide, settings: QSettings, window: QWidget):
        super().__init__(window)
        self.policy_panel = policy_panel
        self.cases = case_panel
        self.settings = settings
        self.window = window
        self.path: Path | None = None
        self._cases_unreadable = False
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.autosave_now)
        policy_panel.policyEdited.connect(self._autosave.start)
        policy_panel.modificationChanged.connect(self._emit_modified)
        case_panel.modificationChanged.connect(self._emit_modified)
        policy_panel.formatKept.connect(self.keep_format)
        self._sidecar_pending = False  # a kept format not yet written beside a file

    # --- state ----------------------------------------------------------------------
    def is_modified(self) -> bool:
        return bool(self.policy_panel.is_modified() or self.cases.is_modified())

    def display_name(self) -> str:
        return self.path.name if self.path else "Untitled policy"

    def recent(self) -> list[str]:
        return recent_files(self.settings)

    @Slot()
    def _emit_modified(self, *_args) -> None:
        self.modifiedChanged.emit(self.is_modified())

    def _set_path(self, path: Path | None) -> None:
        self.path = Path(path).resolve() if path else None
        if self.path:
            self.recentChanged.emit(add_recent_file(self.settings, self.path))
        self.pathChanged.emit(str(self.path or ""))

    def _load(
        self, text: str, cases, path: Path | None, modified: bool, kept: OutputFormat | None = None
    ) -> None:
        self._sidecar_pending = False
        self.policy_panel.sidecar_format = kept  # before the text, so one analysis sees both
        self.policy_panel.set_text(text)
        self.policy_panel.set_modified(modified)
        self.cases.set_cases(cases)
        self.cases.set_modified(modified and bool(cases))
        self._set_path(path)
        self._emit_modified()

    # --- new / open -----------------------------------------------------------------
    def new_blank(self) -> bool:
        if not self.maybe_save():
            return False
        self._cases_unreadable = False
        self._load(BLANK_POLICY, [], None, False)
        return True

    def new_from_template(self, template: Path) -> bool:
        """An untitled copy of a starter policy and its test set."""
        if not self.maybe_save():
            return False
        try:
            text = Path(template).read_text(encoding="utf-8-sig")
            cases = load_cases(cases_path_for(template), _output_of(text))
        except (OSError, UnicodeDecodeError, CasesError) as exc:
            self._warn("Cannot use this template", f"{Path(template).parent.name}: {exc}")
            return False
        self._cases_unreadable = False
        self._load(text, cases, None, True)
        return True

    def open_dialog(self) -> bool:
        path = open_file(self.window, "Open policy", "policy", POLICY_FILTER, policy_path=self.path)
        return self.open(path) if path else False

    def open(self, path: Path | str, ask_save: bool = True) -> bool:
        """Open a policy file and its cases; offers a newer recovery copy back."""
        if ask_save and not self.maybe_save():
            return False
        path = Path(path)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            self._warn("Cannot open policy", f"{path} does not exist; check the path.")
            return False
        except UnicodeDecodeError:
            self._warn("Cannot open policy", f"{path.name} is not UTF-8 text; save it as UTF-8.")
            return False
        except OSError as exc:
            self._warn("Cannot open policy", f"Cannot read {path.name} ({exc.strerror}).")
            return False
        try:
            cases = load_cases(cases_path_for(path), _output_of(text))
            self._cases_unreadable = False
        except CasesError as exc:
            cases, self._cases_unreadable = [], True
            self._warn(
                "Test set not loaded",
                f"{exc} The policy opened without its cases; the file is left untouched.",
            )
        self._load(text, cases, path, False, self._read_kept_format(path))
        self.offer_recovery()
        return True

    def _read_kept_format(self, path: Path) -> OutputFormat | None:
        """The format kept beside the policy (None when none, or unusable: said once)."""
        try:
            return read_sidecar(path)
        except PolicyError as exc:
            self._warn("Format file not used", f"{exc} The format is read from the policy.")
            return None

    @Slot(object)
    def keep_format(self, output: OutputFormat) -> None:
        """Write a corrected format beside the policy file now (untitled: on first save)."""
        if self.path is None:
            self._sidecar_pending = True
            self.message.emit("The format is kept beside the policy when you save it.")
            return
        try:
            written = write_sidecar(self.path, output)
        except OSError as exc:
            self._sidecar_pending = True
            self.message.emit(f"Keeping the format failed ({exc.strerror}); save to try again.")
            return
        self.message.emit(f"Format kept in {written.name}; {self.path.name} is unchanged.")

    def offer_recovery(self) -> bool:
        """If an autosaved copy newer than the file exists, ask to restore it."""
        recovery = newer_recovery(self.path)
        if recovery is None:
            return False
        when = datetime.fromtimestamp(recovery.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        answer = QMessageBox.question(
            self.window,
            "Recover unsaved changes?",
            f"{self.display_name()} has unsaved changes from {when} that were not saved "
            "(the app may have closed unexpectedly). Restore them?",
            Button.Yes | Button.No,
            Button.Yes,
        )
        if answer != Button.Yes:
            recovery.unlink(missing_ok=True)
            return False
        try:
            text = recovery.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self._warn("Cannot recover", f"The recovery file cannot be read ({exc}).")
            return False
        self.policy_panel.set_text(text)
        self.policy_panel.set_modified(True)
        self.policy_panel.policyEdited.emit()
        self.message.emit("Unsaved changes restored; save to keep them.")
        return True

    # --- save -----------------------------------------------------------------------
    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        name = self.path.name if self.path else "policy.md"
        path = save_file(
            self.window, "Save policy as", "policy", name, POLICY_FILTER,
            policy_path=self.path, suffix=".md",
        )  # fmt: skip
        return self._write(path, new_path=True) if path else False

    def _write(self, path: Path, new_path: bool = False) -> bool:
        old_recovery = recovery_path_for(self.path)
        kept = self.policy_panel.sidecar_format
        try:
            atomic_write_text(path, self.policy_panel.text())
            if kept is not None and (self._sidecar_pending or new_path):
                write_sidecar(path, kept)
                self._sidecar_pending = False
            if not self._cases_unreadable or self.cases.is_modified() or new_path:
                save_cases(cases_path_for(path), self.cases.cases())
                self._cases_unreadable = False
        except OSError as exc:
            self._warn(
                "Cannot save", f"Saving {path.name} failed ({exc.strerror}); try another folder."
            )
            return False
        self._autosave.stop()
        old_recovery.unlink(missing_ok=True)
        self.policy_panel.set_modified(False)
        self.cases.set_modified(False)
        self._set_path(path)
        self._emit_modified()
        self.message.emit(f"Saved {path.name} and its {len(self.cases.cases())} cases.")
        return True

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False when the user cancels."""
        if not self.is_modified():
            return True
        answer = QMessageBox.question(
            self.window,
            "Unsaved changes",
            f"{self.display_name()} has unsaved changes. Save them?",
            Button.Save | Button.Discard | Button.Cancel,
            Button.Save,
        )
        if answer == Button.Save:
            return self.save()
        if answer == Button.Discard:
            self.discard_recovery()
            return True
        return False

    # --- recovery -------------------------------------------------------------------
    @Slot()
    def autosave_now(self) -> None:
        """Write unsaved policy edits to the recovery file (atomically)."""
        if not self.policy_panel.is_modified():
            return
        try:
            atomic_write_text(recovery_path_for(self.path), self.policy_panel.text())
        except OSError as exc:
            self.message.emit(f"Autosave failed ({exc.strerror}); save the policy yourself.")

    def discard_recovery(self) -> None:
        self._autosave.stop()
        recovery_path_for(self.path).unlink(missing_ok=True)

    def _warn(self, title: str, text: str) -> None:
        QMessageBox.warning(self.window, title, text)
