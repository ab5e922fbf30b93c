"""How each recorded task transition reads in words: one table for `--no-ui` and the terminal UI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TransitionWords:
    """The word a person reads for a transition, and the status the task shows after it."""

    word: str
    shows: str  # a task status, or "retry" / "interrupted" (statuses as a person sees them)


# Keyed by the `event` of a task's audit record. Words that need attention are in capitals.
TRANSITIONS: dict[str, TransitionWords] = {
    "enqueue": TransitionWords("queued", "pending"),
    "start": TransitionWords("started", "running"),
    "complete": TransitionWords("done", "done"),
    "skip": TransitionWords("skipped", "skipped"),
    "fail": TransitionWords("FAILED", "failed"),
    "block": TransitionWords("BLOCKED", "blocked"),
    "requeue": TransitionWords("retry", "retry"),
    "interrupt": TransitionWords("interrupted", "interrupted"),
    "reset": TransitionWords("reset", "retry"),
}
