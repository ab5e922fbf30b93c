"""The header: install dir, framework, backend and model, elapsed time and done/total."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from wizard_tui.domain.models import QueueFile, TaskStatus


def elapsed_seconds(queue: QueueFile | None, now: datetime) -> float:
    """Time since the run started; frozen at its last write once it finished or was stopped."""
    if queue is None:
        return 0.0
    stopped = (
        queue.finished
        or queue.orchestrator.status == "interrupted"
        or any(t.error is not None and t.error.kind == "interrupted" for t in queue.tasks)
    )
    end = queue.updated_at if stopped else now
    return max(0.0, (end - queue.created_at).total_seconds())


def format_elapsed(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class RunHeader(Static):
    """Two lines at the top of the screen."""

    def __init__(self, install_dir: str, mode: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.install_dir = install_dir
        self.mode = mode
        self.queue: QueueFile | None = None
        self.text = Text()

    def show(self, queue: QueueFile | None, now: datetime) -> None:
        self.queue = queue
        text = self.render_text(now)
        if text != self.text:
            self.text = text
            # The header's height is fixed, so no layout pass is needed.
            self.update(text, layout=False)

    def render_text(self, now: datetime) -> Text:
        q = self.queue
        top = Text()
        top.append(" PostHog wizard ", style="bold reverse")
        top.append(f"  {q.install_dir if q else self.install_dir}", style="bold")
        if self.mode == "watch":
            top.append("  (watching, read-only)", style="italic")
        bottom = Text(" ")
        if q is None:
            bottom.append("waiting for the run to start…", style="dim")
            return top + Text("\n") + bottom
        done = sum(1 for t in q.tasks if t.status in (TaskStatus.DONE, TaskStatus.SKIPPED))
        stopped = sum(1 for t in q.tasks if t.status in (TaskStatus.FAILED, TaskStatus.BLOCKED))
        # Most telling first, so a narrow terminal cuts the least useful part.
        bottom.append(f"{done}/{len(q.tasks)} done", style="bold green" if q.tasks and done == len(q.tasks) else "bold")
        if stopped:
            bottom.append(f" ({stopped} failed or blocked)", style="bold red")
        pairs = [
            ("elapsed", format_elapsed(elapsed_seconds(q, now))),
            ("framework", q.framework or "detecting…"),
            ("backend", q.backend or "?"),
            ("model", q.model or "?"),
        ]
        for name, value in pairs:
            bottom.append(" · ", style="dim")
            bottom.append(f"{name} ", style="dim")
            bottom.append(value, style="bold")
        return top + Text("\n") + bottom
