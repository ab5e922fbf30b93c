"""Tools that act on the queue and the run dir: enqueue, report, read handoffs, write a marker."""

from __future__ import annotations

from typing import Any

from wizard_tui.domain.guards import check_enqueue, depth_for
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.tools import CompleteTaskInput, EnqueueTaskInput, ReadHandoffsInput, WriteMarkerInput
from wizard_tui.domain.writers import atomic_write_text
from wizard_tui.engine.tools.base import Report, ToolContext, ToolError, ToolSpec, bind


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
        dedup_index=store.index.dedup_index,
        children=store.index.children,
    )
    if trip is not None:
        store.audit("guard", guard=trip.guard, type=args.type, enqueued_by=ctx.agent_id, message=trip.message)
        raise ToolError(f"Refused by the {trip.guard} guard: {trip.message}")
    depth = depth_for(ctx.agent_id, store.tasks)
    prompt = services.library.types.get(args.type)
    task = store.enqueue(
        task_type=args.type,
        label=args.label,
        inputs=args.inputs,
        depends_on=list(dict.fromkeys(args.depends_on)),
        reason=args.reason,
        model=args.model,
        enqueued_by=ctx.agent_id,
        depth=depth,
        after_others=prompt is not None and prompt.meta.after_others,
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
    try:
        atomic_write_text(path, body, fsync=False)
    except OSError as exc:
        raise ctx.services.disk_error(exc, "the marker file") from exc
    return {"path": path.relative_to(paths.install_dir).as_posix()}


QUEUE_TOOLS: list[ToolSpec[Any]] = [
    bind("enqueue_task", enqueue_task),
    bind("complete_task", complete_task),
    bind("read_handoffs", read_handoffs),
    bind("write_marker", write_marker),
]
