"""Help ▸ Policy writing guide: the bundled ``policies/README.md`` in a read-only viewer.

The Markdown is rendered by Qt with raw HTML switched off (``MarkdownNoHTML``), so the file
cannot inject markup; images and links load nothing (``loadResource`` answers with nothing
and links do not open), so the viewer never reaches outside the app. A missing or
unreadable guide is said in one sentence inside the viewer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.core.resources import policies_dir
from app.gui.shared.screen_fit import fit_to_screen

MARKDOWN_FEATURES = (
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub
    | QTextDocument.MarkdownFeature.MarkdownNoHTML
)


def guide_path() -> Path:
    return policies_dir() / "README.md"


def read_guide(path: Path | None = None) -> tuple[str, bool]:
    """(text, is_markdown): the guide's Markdown, or one sentence saying what went wrong."""
    path = path or guide_path()
    try:
        return path.read_text(encoding="utf-8"), True
    except FileNotFoundError:
        return f"The policy writing guide {path} is missing; reinstall the app.", False
    except (OSError, UnicodeDecodeError) as exc:
        return f"The policy writing guide {path} cannot be read ({exc}); reinstall the app.", False


class _OfflineBrowser(QTextBrowser):
    """A QTextBrowser that loads no images, style sheets or other documents."""

    def loadResource(self, _type: int, _name: QUrl):  # noqa: N802 (Qt override)
        return None


class GuideViewer(QDialog):
    """Non-modal, read-only view of the policy writing guide."""

    def __init__(self, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Policy writing guide")
        fit_to_screen(self, 860, 720)  # the Close button stays on a 700-px screen
        self.browser = _OfflineBrowser()
        self.browser.setObjectName("guideBrowser")
        self.browser.setReadOnly(True)
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        text, is_markdown = read_guide(path)
        if is_markdown:
            self.browser.document().setMarkdown(text, MARKDOWN_FEATURES)
        else:
            self.browser.setPlainText(text)
        self.browser.moveCursor(QTextCursor.MoveOperation.Start)  # open at the top
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
