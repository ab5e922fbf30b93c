"""The `?` screen: what each key does and what each glyph means, scrollable, with its close key in view."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from wizard_tui.tui.status_style import STATUS_STYLES

CLOSE_KEYS = "escape, q or ?"
KEYS: list[tuple[str, str]] = [
    ("↑ ↓", "move through the tasks; the viewer shows the one under the cursor"),
    ("enter", "select the task under the cursor"),
    ("f", "follow the newest finished task again"),
    ("d", "show every proposed change (the whole patch) in the viewer, or go back to the tasks"),
    ("a", "when the run has ended with a patch: apply it to the project, after you confirm"),
    ("i", "show or hide the internals in the event log (agent turns, tokens, timings)"),
    ("tab", "move between the tree, the viewer and the event log (arrows then scroll it)"),
    ("q  ctrl+c", "quit; during a run, stop it cleanly first (continue later with --resume)"),
    ("?", "this help"),
]


def help_text() -> Group:
    """The help's content: two tables that wrap to any width, built from the keys and the status styles."""
    keys = Table.grid(padding=(0, 2))
    keys.add_column(style="bold", no_wrap=True)
    keys.add_column()
    for key, what in KEYS:
        keys.add_row(key, what)
    # Two glyphs a row, each in its own cell, so wrapping never parts a glyph from its meaning.
    glyphs = Table.grid(padding=(0, 1))
    for _ in range(2):
        glyphs.add_column(no_wrap=True)
        glyphs.add_column(min_width=18)
    cells = [(Text(s.glyph, style=s.colour), s.meaning) for s in STATUS_STYLES.values()]
    for row in range(0, len(cells), 2):
        glyphs.add_row(*(part for cell in cells[row : row + 2] for part in cell))
    return Group(
        Text(f"Press {CLOSE_KEYS} to close this help.", style="italic"),
        Text(),
        Text("Keys", style="bold underline"),
        keys,
        Text(),
        Text("Glyphs in the task tree", style="bold underline"),
        glyphs,
    )


class HelpScreen(ModalScreen[None]):
    """A modal over the run that fits any terminal: its box scrolls, and says how to close it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss_help", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Help"
            box.border_subtitle = f"{CLOSE_KEYS}: close · ↑↓: scroll"
            yield Static(help_text(), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
