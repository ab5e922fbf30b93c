"""How each status looks: one glyph, one colour and one meaning, for the tree, viewer, log and help."""

from __future__ import annotations

from dataclasses import dataclass

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


@dataclass(frozen=True)
class StatusStyle:
    glyph: str
    colour: str
    meaning: str  # the help screen's legend


# Keyed by the status a person sees (`run_view.display_status`), which adds retry and interrupted.
STATUS_STYLES: dict[str, StatusStyle] = {
    "pending": StatusStyle("○", "grey62", "pending"),
    "running": StatusStyle(SPINNER[0], "bold yellow", "running"),
    "done": StatusStyle("✓", "bold green", "done"),
    "failed": StatusStyle("✗", "bold red", "failed"),
    "skipped": StatusStyle("↷", "cyan", "skipped"),
    "blocked": StatusStyle("⊘", "bold magenta", "blocked"),
    "retry": StatusStyle("↻", "yellow", "waiting to retry"),
    "interrupted": StatusStyle("‖", "bold dark_orange", "interrupted"),
}
_UNKNOWN = StatusStyle("?", "white", "unknown")


def style_of(status: str) -> StatusStyle:
    return STATUS_STYLES.get(status, _UNKNOWN)


def glyph(status: str, frame: int = 0) -> str:
    """The status's glyph; a running one turns through the spinner's frames."""
    if status == "running":
        return SPINNER[frame % len(SPINNER)]
    return style_of(status).glyph


def colour(status: str) -> str:
    return style_of(status).colour
