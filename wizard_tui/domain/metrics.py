"""Run metrics from the queue and the audit trail: a pure function of records and two instants.

Times come from the records' own timestamps and the run's start and finish, which the
caller reads from its (injectable) clock, so tests need neither sleeps nor a real clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import pairwise

from pydantic import BaseModel

from wizard_tui.domain.models import AuditRecord, QueueFile, TaskStatus

# What a person watching the run sees change: a task appearing, starting or finishing,
# and the orchestrator's own status at the root of the tree. A requeue (retry) changes
# nothing on screen that means progress, so the time around it counts as silence.
VISIBLE_EVENTS = frozenset({"enqueue", "start", "complete", "skip", "fail", "block", "orchestrator"})
COMPLETION_EVENTS = frozenset({"complete", "skip"})


class RunMetrics(BaseModel):
    """The figures of `orchestrator run finished`, the headless summary and the UI's verdict."""

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
    return max(0, round((b - a).total_seconds() * 1000))


def compute_metrics(
    queue: QueueFile, audit: Iterable[AuditRecord], *, started_at: datetime, finished_at: datetime
) -> RunMetrics:
    """Totals per status, time to first start and completion, the longest silence, retries.

    Timings cover this session (`started_at`..`finished_at`: a resumed run is timed from
    its resume); totals and retries cover the whole run, earlier sessions included.
    """
    of_run = [r for r in audit if r.run_id == queue.run_id]
    session = sorted((r for r in of_run if started_at <= r.ts <= finished_at), key=lambda r: r.ts)
    first_start = next((r.ts for r in session if r.event == "start"), None)
    first_done = next((r.ts for r in session if r.event in COMPLETION_EVENTS), None)
    marks = [started_at, *(r.ts for r in session if r.event in VISIBLE_EVENTS), finished_at]
    max_gap = max(_ms(a, b) for a, b in pairwise(marks))
    retried = {r.task_id for r in of_run if r.event == "requeue" and r.task_id}
    counts = {s: sum(1 for t in queue.tasks if t.status == s) for s in TaskStatus}
    return RunMetrics(
        tasks_total=len(queue.tasks),
        tasks_done=counts[TaskStatus.DONE],
        tasks_failed=counts[TaskStatus.FAILED],
        tasks_skipped=counts[TaskStatus.SKIPPED],
        tasks_blocked=counts[TaskStatus.BLOCKED],
        total_duration_ms=_ms(started_at, finished_at),
        time_to_first_task_ms=None if first_start is None else _ms(started_at, first_start),
        time_to_first_completion_ms=None if first_done is None else _ms(started_at, first_done),
        max_gap_ms=max_gap,
        dynamic_enqueue_count=sum(1 for t in queue.tasks if t.dynamic),
        retried_task_count=len(retried),
    )
