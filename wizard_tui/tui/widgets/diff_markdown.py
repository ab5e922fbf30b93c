"""Markdown whose `diff` code blocks show added lines green and removed lines red.

Textual's highlight themes give pygments' inserted and deleted tokens no style, so a diff
in a fence would be one colour. The themes here add the two; they are built on first use,
so the highlighter is imported only when a code block is shown, never for the first paint.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from textual.content import Content
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock, MarkdownFence


@cache
def _diff_theme(ansi: bool, dark: bool) -> type[Any]:
    from pygments.token import Token  # type: ignore[import-untyped]  # Textual's highlighter
    from textual.highlight import ANSIDarkHighlightTheme, ANSILightHighlightTheme, HighlightTheme

    base: type[HighlightTheme] = (
        (ANSIDarkHighlightTheme if dark else ANSILightHighlightTheme) if ansi else HighlightTheme
    )
    added, removed, hunk = (
        ("ansi_green", "ansi_red", "ansi_cyan") if ansi else ("$text-success", "$text-error", "$text-accent")
    )
    styles = {
        Token.Generic.Inserted: added,
        Token.Generic.Deleted: removed,
        Token.Generic.Subheading: hunk,
        Token.Generic.Heading: "bold",
    }
    return type("DiffTheme", (base,), {"STYLES": base.STYLES | styles})


class DiffFence(MarkdownFence):
    """A code block; a `diff` one is coloured by the diff themes."""

    @classmethod
    def highlight(cls, code: str, language: str, ansi: bool = False, dark: bool = False) -> Content:
        if language != "diff":
            return super().highlight(code, language, ansi=ansi, dark=dark)
        from textual.highlight import highlight

        return highlight(code, language="diff", theme=_diff_theme(ansi, dark))


class DiffMarkdown(Markdown):
    """Markdown whose code blocks are `DiffFence`s."""

    BLOCKS: dict[str, type[MarkdownBlock]] = {
        **Markdown.BLOCKS,
        "fence": DiffFence,
        "code_block": DiffFence,
    }
