"""How each recorded task transition reads in words: one table for `--no-ui` and the terminal UI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


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


def api_wait_text(fact: Mapping[str, Any]) -> str:
    """An `api-retry` fact in words: `orchestrator: retry 2 of 6 in 4.0s — 529 overloaded_error: Overloaded`."""
    who = fact.get("agent_id") or "an agent"
    wait = float(fact.get("wait_s") or 0)
    return (
        f"{who} ({fact.get('task_type')}): model API retry {fact.get('attempt')} of {fact.get('max_retries')} "
        f"in {wait:.1f}s — {fact.get('cause')}"
    )
