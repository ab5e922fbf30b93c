"""The header: install dir, framework, backend and model, elapsed time and done/total."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from wizard_tui.domain.clock import Clock
from wizard_tui.domain.models import TaskStatus
from wizard_tui.tui.run_view import EMPTY_VIEW, Phase, RunView

TICK_S = 1.0


def format_elapsed(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class RunHeader(Widget):
    """Two lines at the top of the screen, rendered from the run's view and the clock."""

    view: reactive[RunView] = reactive(EMPTY_VIEW)
    now: reactive[datetime | None] = reactive(None)

    def __init__(self, install_dir: str, *, watching: bool, clock: Clock, id: str | None = None) -> None:
        super().__init__(id=id)
        self.install_dir = install_dir
        self.watching = watching
        self.clock = clock

    def on_mount(self) -> None:
        self.now = self.clock.now()
        # The elapsed time moves only while the run does; a second is its resolution.
        self.set_interval(TICK_S, self._tick)

    def _tick(self) -> None:
        if self.view.phase == Phase.RUNNING:
            self.now = self.clock.now()

    def render(self) -> Text:
        view = self.view
        q = view.queue
        top = Text()
        top.append(" PostHog wizard ", style="bold reverse")
        top.append(f"  {q.install_dir if q else self.install_dir}", style="bold")
        if self.watching:
            top.append("  (watching, read-only)", style="italic")
        bottom = Text(" ")
        if q is None:
            bottom.append("waiting for the run to start…", style="dim")
            return self._lines(top, bottom)
        done = sum(1 for t in q.tasks if t.status in (TaskStatus.DONE, TaskStatus.SKIPPED))
        stopped = sum(1 for t in q.tasks if t.status in (TaskStatus.FAILED, TaskStatus.BLOCKED))
        # Most telling first, so a narrow terminal cuts the least useful part.
        bottom.append(f"{done}/{len(q.tasks)} done", style="bold green" if q.tasks and done == len(q.tasks) else "bold")
        if stopped:
            bottom.append(f" ({stopped} failed or blocked)", style="bold red")
        pairs = [
            ("elapsed", format_elapsed(view.elapsed_s(self.now or self.clock.now()))),
            ("framework", q.framework or "detecting…"),
            ("backend", q.backend or "?"),
            ("model", q.model or "?"),
        ]
        for name, value in pairs:
            bottom.append(" · ", style="dim")
            bottom.append(f"{name} ", style="dim")
            bottom.append(value, style="bold")
        return self._lines(top, bottom)

    def _lines(self, *lines: Text) -> Text:
        # A line too long for the terminal ends in an ellipsis rather than stopping mid-word.
        for line in lines:
            line.truncate(max(1, self.size.width), overflow="ellipsis")
        return Text("\n").join(lines)
