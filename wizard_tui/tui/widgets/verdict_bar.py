"""The verdict line: empty while the run goes, then how it ended, until the person quits."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class VerdictBar(Static):
    """One line above the footer; its CSS class says ok, failed or stopping."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.message = ""

    def show(self, message: str, kind: str) -> None:
        if message == self.message:
            return
        self.message = message
        self.set_classes(f"-{kind}" if message else "")
        self.display = bool(message)
        self.update(Text(message))
