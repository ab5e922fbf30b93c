"""Run metrics from the audit trail: pure, so tests need no clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel

from wizard_tui.core.models import AuditRecord, QueueFile, TaskStatus

# What a person watching the run sees change. A requeue (retry) is not progress: it is silence.
VISIBLE_EVENTS = frozenset({"enqueue", "start", "complete", "skip", "fail", "block"})


class RunMetrics(BaseModel):
    """The figures of `orchestrator run finished`."""

    tasks_total: int
    tasks_done: int
    tasks_failed: int
    tasks_skipped: int
    tasks_blocked: int
    total_duration_ms: int
    time_to_first_task_ms: int | None
    time_to_first_completion_ms: int | None
    max_gap_ms: int
    dynamic_enqueue_count: int
    retried_task_count: int


def _ms(a: datetime, b: datetime) -> int:
    return max(0, int((b - a).total_seconds() * 1000))


def compute_metrics(
    queue: QueueFile, audit: Iterable[AuditRecord], *, started_at: datetime, finished_at: datetime
) -> RunMetrics:
    """Totals per status, time to first start and completion, and the longest silence."""
    records = [r for r in audit if r.run_id == queue.run_id and started_at <= r.ts <= finished_at]
    visible = sorted(r.ts for r in records if r.event in VISIBLE_EVENTS)
    first_start = next((r.ts for r in sorted(records, key=lambda r: r.ts) if r.event == "start"), None)
    first_done = next(
        (r.ts for r in sorted(records, key=lambda r: r.ts) if r.event in ("complete", "skip")), None
    )
    marks = [started_at, *visible, finished_at]
    max_gap = max((_ms(a, b) for a, b in zip(marks, marks[1:], strict=False)), default=0)
    retried = {r.task_id for r in records if r.event == "requeue"}
    counts = {s: sum(1 for t in queue.tasks if t.status == s) for s in TaskStatus}
    return RunMetrics(
        tasks_total=len(queue.tasks),
        tasks_done=counts[TaskStatus.DONE],
        tasks_failed=counts[TaskStatus.FAILED],
        tasks_skipped=counts[TaskStatus.SKIPPED],
        tasks_blocked=counts[TaskStatus.BLOCKED],
        total_duration_ms=_ms(started_at, finished_at),
        time_to_first_task_ms=_ms(started_at, first_start) if first_start else None,
        time_to_first_completion_ms=_ms(started_at, first_done) if first_done else None,
        max_gap_ms=max_gap,
        dynamic_enqueue_count=sum(1 for t in queue.tasks if t.dynamic),
        retried_task_count=len(retried),
    )
