"""Run metrics: a pure function of the queue, the audit trail and two instants."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.scripted import ScriptedBackend
from tests.unit.test_telemetry_events import SKELETON, scripted_run
from wizard_tui.domain.metrics import RunMetrics, compute_metrics
from wizard_tui.domain.models import AuditRecord, QueueFile, Task, TaskStatus
from wizard_tui.domain.persistence import iter_jsonl
from wizard_tui.headless import HeadlessPrinter

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
RUN = "run-m"


def at(ms: float) -> datetime:
    return T0 + timedelta(milliseconds=ms)


def rec(ms: float, event: str, task_id: str | None = "t-1", run_id: str = RUN) -> AuditRecord:
    return AuditRecord(ts=at(ms), run_id=run_id, event=event, task_id=task_id)


def task(task_id: str, status: TaskStatus, enqueued_by: str = "orchestrator") -> Task:
    return Task(id=task_id, type="capture", label=task_id, status=status, enqueued_by=enqueued_by, created_at=T0)


def queue(*tasks: Task) -> QueueFile:
    return QueueFile(run_id=RUN, install_dir="/p", created_at=T0, updated_at=T0, tasks=list(tasks))


def metrics(q: QueueFile, audit: list[AuditRecord], start: float = 0, end: float = 100) -> RunMetrics:
    return compute_metrics(q, audit, started_at=at(start), finished_at=at(end))


def test_a_retry_is_silence() -> None:
    audit = [rec(0, "enqueue"), rec(10, "start"), rec(50, "requeue"), rec(60, "start"), rec(100, "complete")]
    m = metrics(queue(task("t-1", TaskStatus.DONE)), audit)
    # 10 -> 60 is one silence: the requeue at 50 shows the user no progress.
    assert m.max_gap_ms == 50
    assert m.retried_task_count == 1


def test_the_silence_before_the_first_and_after_the_last_transition_counts() -> None:
    q = queue(task("t-1", TaskStatus.DONE))
    assert metrics(q, [rec(70, "enqueue"), rec(75, "start"), rec(80, "complete")]).max_gap_ms == 70
    assert metrics(q, [rec(1, "enqueue"), rec(2, "start"), rec(5, "complete")], end=400).max_gap_ms == 395


def test_orchestrator_status_changes_are_visible() -> None:
    q = queue(task("t-1", TaskStatus.DONE))
    audit = [rec(0, "orchestrator", None), rec(40, "orchestrator", None), rec(90, "enqueue")]
    assert metrics(q, audit).max_gap_ms == 50


def test_time_to_first_start_and_first_completion() -> None:
    audit = [
        rec(0, "enqueue"),
        rec(0, "enqueue", "t-2"),
        rec(20, "start"),
        rec(30, "fail"),  # a failure is not a completion
        rec(35, "start", "t-2"),
        rec(45, "skip", "t-2"),  # a skipped task is finished: progress the user sees
    ]
    m = metrics(queue(task("t-1", TaskStatus.FAILED), task("t-2", TaskStatus.SKIPPED)), audit, start=5)
    assert m.time_to_first_task_ms == 15
    assert m.time_to_first_completion_ms == 40


def test_no_start_and_no_completion_give_none() -> None:
    m = metrics(queue(), [rec(10, "orchestrator", None)])
    assert m.time_to_first_task_ms is None
    assert m.time_to_first_completion_ms is None
    assert m.tasks_total == 0
    assert m.max_gap_ms == 90


def test_totals_per_status_and_dynamic_enqueues_come_from_the_queue() -> None:
    q = queue(
        task("a", TaskStatus.DONE),
        task("b", TaskStatus.DONE, enqueued_by="a"),
        task("c", TaskStatus.FAILED),
        task("d", TaskStatus.SKIPPED, enqueued_by="a"),
        task("e", TaskStatus.BLOCKED),
        task("f", TaskStatus.PENDING),
    )
    m = metrics(q, [])
    assert (m.tasks_total, m.tasks_done, m.tasks_failed, m.tasks_skipped, m.tasks_blocked) == (6, 2, 1, 1, 1)
    assert m.dynamic_enqueue_count == 2


def test_timings_cover_this_session_and_retries_the_whole_run() -> None:
    earlier = [rec(-500, "start", "t-1"), rec(-450, "requeue", "t-1"), rec(-400, "start", "t-1")]
    now = [rec(10, "start", "t-2"), rec(12, "requeue", "t-2"), rec(20, "start", "t-2"), rec(30, "requeue", "t-2")]
    other_run = [rec(5, "start", "t-9", run_id="someone-else"), rec(6, "requeue", "t-9", run_id="someone-else")]
    m = metrics(queue(task("t-1", TaskStatus.DONE), task("t-2", TaskStatus.FAILED)), earlier + now + other_run)
    assert m.time_to_first_task_ms == 10  # not the earlier session's start, nor the other run's
    assert m.retried_task_count == 2  # t-1 before the resume and t-2 (twice) now, each counted once
    assert m.total_duration_ms == 100


@settings(max_examples=60, deadline=None)
@given(
    visible=st.lists(st.integers(min_value=0, max_value=1000), max_size=12),
    requeues=st.lists(st.integers(min_value=0, max_value=1000), max_size=6),
)
def test_requeues_never_shorten_a_silence_and_the_longest_gap_is_bounded(
    visible: list[int], requeues: list[int]
) -> None:
    q = queue(task("t-1", TaskStatus.DONE))
    base = [rec(ms, "start") for ms in visible]
    plain = metrics(q, base, end=1000)
    with_retries = metrics(q, base + [rec(ms, "requeue") for ms in requeues], end=1000)
    assert with_retries.max_gap_ms == plain.max_gap_ms
    assert plain.max_gap_ms <= plain.total_duration_ms
    assert plain.max_gap_ms * (len(visible) + 1) >= plain.total_duration_ms


async def test_a_run_reports_the_same_metrics_in_telemetry_result_and_summary(tmp_path: Path) -> None:
    result, project = await scripted_run(tmp_path, ScriptedBackend(SKELETON, {"init": "flaky", "identify": "skip"}))
    assert result.exit_code == 0 and result.metrics is not None
    m = result.metrics
    assert (m.tasks_total, m.tasks_done, m.tasks_skipped, m.retried_task_count) == (5, 4, 1, 1)
    assert m.time_to_first_task_ms is not None and m.time_to_first_completion_ms is not None
    assert 0 < m.time_to_first_task_ms <= m.time_to_first_completion_ms < m.total_duration_ms
    assert 0 < m.max_gap_ms < m.total_duration_ms

    lines = list(iter_jsonl(project / ".posthog-wizard" / "telemetry.jsonl"))
    finished = [line for line in lines if line["event"] == "orchestrator run finished"]
    assert len(finished) == 1
    assert RunMetrics.model_validate(finished[0]["properties"], strict=False) == m

    out = io.StringIO()
    HeadlessPrinter(out).summary(result, "<run dir>", "scripted")
    text = out.getvalue()
    assert "tasks: 4/5 done, 0 failed, 1 skipped, 0 blocked" in text
    assert f"first task started after {m.time_to_first_task_ms} ms" in text
    assert f"first done after {m.time_to_first_completion_ms} ms" in text
    assert f"longest silence {m.max_gap_ms} ms" in text
    assert "retried tasks: 1" in text

    out = io.StringIO()
    HeadlessPrinter(out, json_lines=True).summary(result, "<run dir>", "scripted")
    assert json.loads(out.getvalue())["metrics"] == m.model_dump()
