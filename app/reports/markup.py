"""Text written by people or by a model, made safe for HTML and Markdown output.

One place for the escaping every report and copied block uses: the run report (HTML and
Markdown), its analysis, review and robustness sections, and *Copy result*. Nothing in the
text may turn into markup: HTML is escaped, Markdown syntax is backslashed on one line, and
multi-line text goes into a code fence longer than any backtick run inside it.
"""

from __future__ import annotations

import html
import re


def esc(value: object) -> str:
    """HTML text (quotes too, so it is safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def md_inline(value: object) -> str:
    """One-line Markdown text: whitespace folded, HTML and Markdown syntax escaped."""
    text = " ".join(("" if value is None else str(value)).split())
    text = re.sub(r"([\\`*_{}\[\]()#+!|~])", r"\\\1", text)
    return html.escape(text, quote=False)


def md_block(value: object) -> str:
    """Multi-line text as a fenced block that nothing inside can close."""
    text = "" if value is None else str(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"
