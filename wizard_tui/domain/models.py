"""The records of a run. The JSON on disk is exactly their serialisation."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, field_validator

from wizard_tui.domain.record import Record
from wizard_tui.domain.settings import MAX_ATTEMPTS

SCHEMA_VERSION = 1
HANDOFF_FIELD_MAX = 8_000
ORCHESTRATOR = "orchestrator"


def _aware(value: datetime) -> datetime:
    """A time without a zone (a foreign writer's) is read as UTC, which is what ours are written in.

    Mixing naive and aware times would make every comparison of a run's times fail.
    """
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Stamp = Annotated[datetime, AfterValidator(_aware)]


class TaskStatus(StrEnum):
    """Where a task is in its life. `skipped` counts as satisfied for dependents."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    BLOCKED = "blocked"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL

    @property
    def satisfied(self) -> bool:
        return self in (TaskStatus.DONE, TaskStatus.SKIPPED)


TERMINAL = frozenset({TaskStatus.DONE, TaskStatus.FAILED, TaskStatus.SKIPPED, TaskStatus.BLOCKED})


class Handoff(Record):
    """What a task agent tells the agents after it."""

    model_config = ConfigDict(extra="forbid")

    goal: str = Field(min_length=1, max_length=HANDOFF_FIELD_MAX, description="What this task was for.")
    did: str = Field(min_length=1, max_length=HANDOFF_FIELD_MAX, description="What the agent actually did.")
    for_next_agent: str = Field(
        min_length=1,
        max_length=HANDOFF_FIELD_MAX,
        description="What the next agents need to know to build on this work.",
    )
    files_touched: list[str] = Field(default_factory=list, description="Files created or changed.")
    evidence: str | None = Field(
        default=None, max_length=HANDOFF_FIELD_MAX, description="How the agent knows it succeeded."
    )

    @field_validator("goal", "did", "for_next_agent")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class TaskError(Record):
    """Why a task failed, was blocked or was interrupted."""

    kind: str
    message: str


class Task(Record):
    """One unit of work in the queue."""

    id: str
    type: str
    label: str
    status: TaskStatus = TaskStatus.PENDING
    depends_on: list[str] = Field(default_factory=list)
    inputs: dict[str, Any] = Field(default_factory=dict)
    model: str | None = None
    attempts: int = 0
    max_attempts: int = MAX_ATTEMPTS
    enqueued_by: str = ORCHESTRATOR
    depth: int = 0
    # Runs only once every task without this flag has finished (review, report), and after the
    # flagged tasks enqueued before it: "after the others" without naming tasks not yet enqueued.
    after_others: bool = False
    reason: str = ""
    created_at: Stamp
    started_at: Stamp | None = None
    finished_at: Stamp | None = None
    error: TaskError | None = None
    handoff: Handoff | None = None

    @property
    def dynamic(self) -> bool:
        """Enqueued by another task rather than by the orchestrator's seeding."""
        return self.enqueued_by != ORCHESTRATOR


class OrchestratorState(Record):
    """The seeding agent's own progress, shown at the root of the task tree."""

    status: Literal["pending", "running", "done", "failed", "interrupted"] = "pending"
    started_at: Stamp | None = None
    finished_at: Stamp | None = None
    error: TaskError | None = None


class QueueFile(Record):
    """`queue.json`: the whole queue, rewritten atomically."""

    version: int = SCHEMA_VERSION
    run_id: str
    install_dir: str
    created_at: Stamp
    updated_at: Stamp
    framework: str | None = None
    backend: str | None = None
    model: str | None = None
    finished: bool = False
    orchestrator: OrchestratorState = Field(default_factory=OrchestratorState)
    tasks: list[Task] = Field(default_factory=list)


class AuditRecord(Record):
    """One line of `audit.jsonl`: one transition."""

    model_config = ConfigDict(extra="allow")

    ts: Stamp
    run_id: str
    event: str
    task_id: str | None = None
    type: str | None = None
    status: str | None = None
    attempts: int | None = None


class HandoffFile(Record):
    """`handoffs/<task-id>.json`."""

    version: int = SCHEMA_VERSION
    task_id: str
    type: str
    status: TaskStatus
    started_at: Stamp | None
    finished_at: Stamp | None
    handoff: Handoff

    @classmethod
    def of(cls, task: Task) -> HandoffFile:
        """The handoff file of a task that reported one."""
        assert task.handoff is not None
        return cls(
            task_id=task.id,
            type=task.type,
            status=task.status,
            started_at=task.started_at,
            finished_at=task.finished_at,
            handoff=task.handoff,
        )


class InstallIntent(Record):
    """`install-intent.json`: what the real wizard would install."""

    version: int = SCHEMA_VERSION
    sdks: list[str]
    package_manager: str
    reason: str
    recorded_at: Stamp


class TelemetryRecord(Record):
    """One line of `telemetry.jsonl`."""

    event: str
    ts: Stamp
    run_id: str
    properties: dict[str, Any] = Field(default_factory=dict)
