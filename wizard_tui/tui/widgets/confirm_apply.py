"""The `a` screen: asks before the proposed patch is applied to the person's project."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from wizard_tui.domain.printable import printable


class ConfirmApply(ModalScreen[bool]):
    """Yes (y) writes the files, anything else (n, escape, q) leaves the project as it is."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Apply"),
        Binding("n,escape,q", "answer(False)", "Cancel"),
    ]

    def __init__(self, install_dir: str, files: list[str], revert_command: str) -> None:
        super().__init__()
        # Paths came from the project: printable, one line each, before they reach the screen.
        self.install_dir = printable(install_dir)
        self.files = [printable(name) for name in files]
        self.revert_command = printable(revert_command)

    def compose(self) -> ComposeResult:
        text = Text()
        text.append(f"Apply the proposed changes to {len(self.files)} file(s) in {self.install_dir}?\n\n", "bold")
        for name in self.files:
            text.append(f"  {name}\n")
        text.append(
            "\nEvery file or none is written, and only if none changed since the run; the originals are "
            f"kept under .posthog-wizard/applied/, so `{self.revert_command}` puts them back.\n\n"
        )
        text.append("y", "bold")
        text.append(" apply   ")
        text.append("n", "bold")
        text.append(" or escape: leave the project as it is")
        with VerticalScroll(id="confirm-box") as box:
            box.border_title = "Apply the patch"
            box.border_subtitle = "y: apply · n: cancel"
            yield Static(text)

    def on_mount(self) -> None:
        self.query_one("#confirm-box").focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
