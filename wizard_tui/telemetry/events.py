"""The telemetry events and their properties, as models: the contract every sink sees.

Each event carries exactly the properties the product's telemetry spec names (the README's
Telemetry section), plus the few extras declared here (marked "beyond the spec"), all of
them counts, flags, ids or short enumerated words: never a file's content, a path's
content, a prompt or a message text.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from wizard_tui.domain.metrics import RunMetrics
from wizard_tui.domain.record import Record


class _Props(Record):
    model_config = ConfigDict(extra="forbid", strict=True)


class OrchestratorStarted(_Props):
    """`orchestrator started`: the spec names no properties; all of these are beyond the spec."""

    backend: str
    model: str | None
    concurrency: int
    pipeline: bool
    resumed: bool


class TaskEnqueued(_Props):
    type: str
    enqueued_by: Literal["orchestrator", "task"]
    depth: int
    dynamic: bool


class Seeded(_Props):
    task_count: int
    types: list[str]
    duration_ms: int
    ok: bool  # beyond the spec: whether seeding finished cleanly


class TaskStarted(_Props):
    type: str
    model: str | None
    attempts: int
    ms_since_run_start: int


class TaskEnded(_Props):
    """`orchestrator task completed` and `orchestrator task skipped`."""

    type: str
    model: str | None
    attempts: int
    duration_ms: int


class TaskFailed(TaskEnded):
    error_kind: str  # beyond the spec: the error's kind (a fixed word such as `timeout`), never its message


class TaskBlocked(TaskEnded):
    blocked_by: str  # beyond the spec: the id of the dependency that failed


class GuardTripped(_Props):
    guard: str
    type: str


class AgentCompleted(_Props):
    task_type: str
    model: str | None
    turns: int
    input_tokens: int
    output_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int
    duration_ms: int
    stop_reason: str | None  # beyond the spec: why the agent stopped (end_turn, max_turns, ...)
    cost_usd: float | None  # beyond the spec: its tokens at list prices; None for a model without a price


class RunFinished(RunMetrics):
    model_config = ConfigDict(extra="forbid", strict=True)

    # beyond the spec: how the run ended and the token totals of all its agents
    interrupted: bool
    ok: bool
    total_input_tokens: int
    total_output_tokens: int
    total_cache_read_input_tokens: int
    total_cache_creation_input_tokens: int
    # beyond the spec: the run's cost at list prices, and every model's counters and cost
    total_cost_usd: float | None
    usage_by_model: dict[str, dict[str, int | float | None]]


EVENTS: dict[str, type[BaseModel]] = {
    "orchestrator started": OrchestratorStarted,
    "orchestrator task enqueued": TaskEnqueued,
    "orchestrator seeded": Seeded,
    "orchestrator task started": TaskStarted,
    "orchestrator task completed": TaskEnded,
    "orchestrator task failed": TaskFailed,
    "orchestrator task skipped": TaskEnded,
    "orchestrator task blocked": TaskBlocked,
    "orchestrator guard tripped": GuardTripped,
    "agent completed": AgentCompleted,
    "orchestrator run finished": RunFinished,
}


def event_problems(event: str, properties: dict[str, Any]) -> list[str]:
    """Why `properties` do not fit `event`'s contract; empty when they do."""
    model = EVENTS.get(event)
    if model is None:
        return [f"unknown telemetry event {event!r}"]
    try:
        model.model_validate(properties)
    except ValidationError as exc:
        return [f"{'.'.join(str(p) for p in e['loc']) or event}: {e['msg']}" for e in exc.errors()]
    return []


# -- what a property may say --------------------------------------------------------------------

OTHER = "other"
# Words our own code uses for how an agent stopped or a task failed. A stop reason comes from the
# model's API, so anything else is shown as `other`: no model-chosen text leaves in telemetry.
STOP_WORDS = frozenset(
    {
        "end_turn",
        "tool_use",
        "max_tokens",
        "stop_sequence",
        "pause_turn",
        "refusal",
        "model_context_window_exceeded",
        "max_turns",
        "timeout",
        "api_error",
        "reported",
        "agent-error",
        "reported-failed",
        "no-report",
        "internal",
        "backstop",
        "blocked",
        "interrupted",
        "attempts-exhausted",
        "no-tasks",
        "disk",
        "no-marker",
        "conflict",
    }
)
# Properties whose value is a word from a closed list; the run adds its task types and models.
WORD_PROPERTIES = ("type", "task_type", "types", "model", "stop_reason", "error_kind", "guard")


def vocabulary(*, task_types: set[str], models: set[str], guards: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """The words each closed property may carry in one run."""
    types = frozenset(task_types | {"orchestrator"})
    return {
        "type": types,
        "task_type": types,
        "types": types,
        "model": frozenset(models),
        "stop_reason": STOP_WORDS,
        "error_kind": STOP_WORDS,
        "guard": frozenset(guards),
    }
