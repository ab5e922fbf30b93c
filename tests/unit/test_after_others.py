"""`after_others` tasks (review, report) wait until every other task has finished, even dynamic ones."""

from __future__ import annotations

from pathlib import Path

from tests.support.clock import FrozenClock, SequentialIds
from wizard_tui.domain.events import EventBus
from wizard_tui.domain.models import Handoff, TaskError, TaskStatus
from wizard_tui.domain.queue import QueueStore

HANDOFF = Handoff(goal="g", did="d", for_next_agent="n")


def make_store() -> QueueStore:
    return QueueStore(
        run_id="r", install_dir=Path("/p"), clock=FrozenClock(step=1), ids=SequentialIds(), bus=EventBus()
    )


def add(
    store: QueueStore, task_type: str, deps: list[str] | None = None, *, last: bool = False, by: str = "orchestrator"
) -> str:
    return store.enqueue(
        task_type=task_type,
        label=task_type,
        inputs={"n": len(store.tasks)},
        depends_on=deps or [],
        reason="r",
        model=None,
        enqueued_by=by,
        depth=0 if by == "orchestrator" else 1,
        after_others=last,
    ).id


def finish(store: QueueStore, task_id: str, status: TaskStatus = TaskStatus.DONE) -> None:
    store.start(task_id)
    if status == TaskStatus.FAILED:
        store.fail(task_id, TaskError(kind="x", message="y"))
    else:
        store.complete(task_id, status, HANDOFF)


def ready_ids(store: QueueStore) -> list[str]:
    return [t.id for t in store.first_ready(100)]


def test_review_waits_for_tasks_enqueued_after_it() -> None:
    store = make_store()
    store.set_orchestrator("running")
    plan = add(store, "plan-capture")
    review = add(store, "review", [plan], last=True)
    report = add(store, "report", last=True)
    store.set_orchestrator("done")
    finish(store, plan)
    # plan-capture enqueued a follow-up after review: review must wait for it.
    follow_up = add(store, "capture", [plan], by=plan)
    assert ready_ids(store) == [follow_up]
    finish(store, follow_up)
    assert ready_ids(store) == [review]
    finish(store, review)
    assert ready_ids(store) == [report]


def test_nothing_flagged_runs_while_the_orchestrator_seeds() -> None:
    store = make_store()
    store.set_orchestrator("running")
    review = add(store, "review", last=True)
    assert ready_ids(store) == []
    store.set_orchestrator("done")
    assert ready_ids(store) == [review]


def test_report_runs_after_a_failed_review_and_failed_tasks() -> None:
    store = make_store()
    store.set_orchestrator("done")
    a = add(store, "install")
    review = add(store, "review", last=True)
    report = add(store, "report", last=True)
    finish(store, a, TaskStatus.FAILED)
    assert ready_ids(store) == [review]
    finish(store, review, TaskStatus.FAILED)
    assert ready_ids(store) == [report]


def test_barrier_is_rebuilt_from_a_queue_file() -> None:
    store = make_store()
    store.set_orchestrator("done")
    a = add(store, "install")
    review = add(store, "review", last=True)
    loaded = QueueStore.from_file(store.snapshot(), clock=FrozenClock(), ids=SequentialIds(), bus=EventBus())
    assert [t.id for t in loaded.first_ready(100)] == [a]
    finish(loaded, a)
    assert [t.id for t in loaded.first_ready(100)] == [review]
