"""Run metrics from the queue and the audit trail: a pure function of records and two instants.

Times come from the records' own timestamps and the run's start and finish, which the
caller reads from its (injectable) clock, so tests need neither sleeps nor a real clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from wizard_tui.domain.models import AuditRecord, QueueFile, TaskStatus, TelemetryRecord
from wizard_tui.domain.record import Record

# What a person watching the run sees change: a task appearing, starting or finishing,
# and the orchestrator's own status at the root of the tree. A requeue (retry) changes
# nothing on screen that means progress, so the time around it counts as silence.
VISIBLE_EVENTS = frozenset({"enqueue", "start", "complete", "skip", "fail", "block", "orchestrator"})
COMPLETION_EVENTS = frozenset({"complete", "skip"})


class RunMetrics(Record):
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
    tally = MetricsTally(queue.run_id, started_at)
    for record in sorted(audit, key=lambda r: r.ts):
        if record.ts <= finished_at:
            tally.add(record)
    return tally.metrics(queue, finished_at)


class MetricsTally:
    """`compute_metrics` one record at a time, in the order they happen.

    A run adds each audit record as it is published (a bus subscriber), so its figures are
    ready when it ends without reading its own log back; it holds a few instants and the ids
    of retried tasks, never the records.
    """

    def __init__(self, run_id: str, started_at: datetime) -> None:
        self.run_id = run_id
        self.started_at = started_at
        self._first_start: datetime | None = None
        self._first_done: datetime | None = None
        self._last_mark = started_at
        self._max_gap = 0
        self._retried: set[str] = set()

    def observe(self, event: AuditRecord | TelemetryRecord) -> None:
        """A bus subscriber: audit records count, telemetry records (derived from them) do not."""
        if isinstance(event, AuditRecord):
            self.add(event)

    def add(self, record: AuditRecord) -> None:
        """Count one record (records of other runs are ignored; earlier sessions count for retries only)."""
        if record.run_id != self.run_id:
            return
        if record.event == "requeue" and record.task_id:
            self._retried.add(record.task_id)
        if record.ts < self.started_at:
            return
        if record.event == "start" and self._first_start is None:
            self._first_start = record.ts
        if record.event in COMPLETION_EVENTS and self._first_done is None:
            self._first_done = record.ts
        if record.event in VISIBLE_EVENTS:
            self._max_gap = max(self._max_gap, _ms(self._last_mark, record.ts))
            self._last_mark = max(self._last_mark, record.ts)

    def metrics(self, queue: QueueFile, finished_at: datetime) -> RunMetrics:
        """The figures of a session that ended at `finished_at`, with the queue's totals."""
        started_at = self.started_at
        counts = {s: sum(1 for t in queue.tasks if t.status == s) for s in TaskStatus}
        return RunMetrics(
            tasks_total=len(queue.tasks),
            tasks_done=counts[TaskStatus.DONE],
            tasks_failed=counts[TaskStatus.FAILED],
            tasks_skipped=counts[TaskStatus.SKIPPED],
            tasks_blocked=counts[TaskStatus.BLOCKED],
            total_duration_ms=_ms(started_at, finished_at),
            time_to_first_task_ms=None if self._first_start is None else _ms(started_at, self._first_start),
            time_to_first_completion_ms=None if self._first_done is None else _ms(started_at, self._first_done),
            max_gap_ms=max(self._max_gap, _ms(self._last_mark, finished_at)),
            dynamic_enqueue_count=sum(1 for t in queue.tasks if t.dynamic),
            retried_task_count=len(self._retried),
        )
