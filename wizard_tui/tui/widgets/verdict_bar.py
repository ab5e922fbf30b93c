"""The verdict line: empty while the run goes, then how it ended, until the person quits."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from wizard_tui.tui.run_view import VerdictLine


class VerdictBar(Widget):
    """One or two lines above the footer; hidden while empty. Its CSS class is the verdict's kind."""

    verdict: reactive[VerdictLine] = reactive(VerdictLine(), layout=True)

    def watch_verdict(self, verdict: VerdictLine) -> None:
        self.set_classes(f"-{verdict.kind}" if verdict.message else "")
        self.display = bool(verdict.message)

    def render(self) -> Text:
        return Text(self.verdict.message)

    @property
    def message(self) -> str:
        return self.verdict.message
