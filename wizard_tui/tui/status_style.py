"""How each task status looks: one glyph and one colour, shared by the tree, viewer and log."""

from __future__ import annotations

from wizard_tui.domain.models import Task, TaskStatus

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

GLYPHS: dict[str, str] = {
    "pending": "○",
    "running": SPINNER[0],
    "done": "✓",
    "failed": "✗",
    "skipped": "↷",
    "blocked": "⊘",
    "retry": "↻",
    "interrupted": "‖",
}

COLOURS: dict[str, str] = {
    "pending": "grey62",
    "running": "bold yellow",
    "done": "bold green",
    "failed": "bold red",
    "skipped": "cyan",
    "blocked": "bold magenta",
    "retry": "yellow",
    "interrupted": "bold dark_orange",
}


def display_status(task: Task) -> str:
    """The status a person should see: a requeued task is a retry, a stopped run's task is interrupted."""
    if task.status == TaskStatus.RUNNING and task.error is not None and task.error.kind == "interrupted":
        return "interrupted"
    if task.status == TaskStatus.PENDING and task.error is not None:
        return "retry"
    return task.status.value


def glyph(status: str, frame: int = 0) -> str:
    if status == "running":
        return SPINNER[frame % len(SPINNER)]
    return GLYPHS.get(status, "?")


def colour(status: str) -> str:
    return COLOURS.get(status, "white")
