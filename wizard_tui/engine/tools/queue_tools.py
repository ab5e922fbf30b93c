"""Tools that act on the queue and the run dir: enqueue, report, read handoffs, write a marker."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from wizard_tui.domain.guards import check_enqueue, depth_for
from wizard_tui.domain.models import Handoff, TaskStatus
from wizard_tui.domain.persistence import atomic_write_text
from wizard_tui.engine.tools.base import Report, ToolContext, ToolError, ToolSpec


class EnqueueTaskInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="The task type; one of the valid types.")
    label: str = Field(min_length=1, max_length=80, description="A few words for the UI.")
    inputs: dict[str, Any] = Field(default_factory=dict, description="What the task needs to know.")
    depends_on: list[str] = Field(default_factory=list, description="Ids of tasks that must finish first.")
    reason: str = Field(min_length=1, max_length=1000, description="Why this task is needed, in one sentence.")
    model: str | None = Field(default=None, description="Override the model for this task (rarely needed).")


class CompleteTaskInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["done", "failed", "skipped"]
    handoff: Handoff


class ReadHandoffsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task_id: str | None = Field(default=None, description="One task's handoff.")
    type: str | None = Field(default=None, description="All handoffs of a task type, oldest first.")


class WriteMarkerInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000, description="A line saying what ran.")


async def enqueue_task(ctx: ToolContext, args: EnqueueTaskInput) -> dict[str, Any]:
    services = ctx.services
    store = services.store
    trip = check_enqueue(
        task_type=args.type,
        inputs=args.inputs,
        depends_on=args.depends_on,
        model=args.model,
        enqueued_by=ctx.agent_id,
        tasks=store.tasks,
        valid_types=services.library.task_types,
        valid_models=services.valid_models,
        limits=services.limits,
        dedup_index=store.dedup_index,
        children=store.children,
    )
    if trip is not None:
        store.audit("guard", guard=trip.guard, type=args.type, enqueued_by=ctx.agent_id, message=trip.message)
        raise ToolError(f"Refused by the {trip.guard} guard: {trip.message}")
    depth = depth_for(ctx.agent_id, store.tasks)
    task = store.enqueue(
        task_type=args.type,
        label=args.label,
        inputs=args.inputs,
        depends_on=list(dict.fromkeys(args.depends_on)),
        reason=args.reason,
        model=args.model,
        enqueued_by=ctx.agent_id,
        depth=depth,
    )
    return {"id": task.id}


async def complete_task(ctx: ToolContext, args: CompleteTaskInput) -> dict[str, Any]:
    if ctx.task is None:
        raise ToolError("complete_task is for task agents; the orchestrator just stops when seeded.")
    if ctx.report is not None:
        raise ToolError("You already reported with complete_task; stop now.")
    ctx.report = Report(status=TaskStatus(args.status), handoff=args.handoff)
    return {"ok": True}


def _handoff_entry(task_id: str, ctx: ToolContext) -> dict[str, Any] | None:
    task = ctx.services.store.tasks.get(task_id)
    if task is None or task.handoff is None:
        return None
    return {
        "task_id": task.id,
        "type": task.type,
        "status": task.status.value,
        **task.handoff.model_dump(exclude_none=True),
    }


async def read_handoffs(ctx: ToolContext, args: ReadHandoffsInput) -> dict[str, Any]:
    store = ctx.services.store
    if args.task_id is not None:
        if args.task_id not in store.tasks:
            raise ToolError(f"No task {args.task_id!r}; existing ids: {', '.join(store.tasks) or 'none'}.")
        ids = [args.task_id]
    elif args.type is not None:
        ids = [t.id for t in store.tasks.values() if t.type == args.type]
    elif ctx.task is not None:
        ids = list(ctx.task.depends_on)
    else:
        ids = list(store.tasks)
    entries = [e for e in (_handoff_entry(i, ctx) for i in ids) if e is not None]
    return {"handoffs": entries}


async def write_marker(ctx: ToolContext, args: WriteMarkerInput) -> dict[str, Any]:
    if ctx.task is None:
        raise ToolError("write_marker is for task agents.")
    paths = ctx.services.paths
    task = ctx.task
    path = paths.marker(task.id)
    body = (
        f"task: {task.id}\ntype: {task.type}\nlabel: {task.label}\nattempt: {task.attempts}\n"
        f"written_at: {ctx.services.store.clock.now().isoformat()}\n"
    )
    if args.note:
        body += f"note: {args.note.strip()}\n"
    # Atomic and keyed by task id: a retried task replaces its marker, never adds a second.
    atomic_write_text(path, body, fsync=False)
    return {"path": path.relative_to(paths.install_dir).as_posix()}


QUEUE_TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        "enqueue_task",
        "Add a task to the queue. Returns its id; use ids in depends_on to order tasks.",
        EnqueueTaskInput,
        enqueue_task,
    ),
    ToolSpec(
        "complete_task",
        "Report your task's outcome exactly once, with a structured handoff for the next agents.",
        CompleteTaskInput,
        complete_task,
    ),
    ToolSpec(
        "read_handoffs",
        "Read handoffs of earlier tasks: by task_id, by type, or (default) your dependencies'.",
        ReadHandoffsInput,
        read_handoffs,
    ),
    ToolSpec(
        "write_marker",
        "Write your task's marker file under .posthog-wizard/markers/, proving your agent ran.",
        WriteMarkerInput,
        write_marker,
    ),
]
