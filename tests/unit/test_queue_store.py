"""Every transition of the queue store: what it changes and what it records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.clock import FrozenClock, SequentialIds
from wizard_tui.domain.events import EventBus
from wizard_tui.domain.models import AuditRecord, Handoff, QueueFile, Task, TaskError, TaskStatus
from wizard_tui.domain.queue import QueueStore, TransitionError
from wizard_tui.domain.verdict import RunVerdict, verdict

HANDOFF = Handoff(goal="g", did="d", for_next_agent="n")


def runnable(tasks: Iterable[Task], by_id: Mapping[str, Task]) -> list[Task]:
    """The definition the store's ready index must agree with: pending, every dependency satisfied."""
    return [t for t in tasks if t.status == TaskStatus.PENDING and all(by_id[d].status.satisfied for d in t.depends_on)]


def to_block(tasks: Iterable[Task], by_id: Mapping[str, Task]) -> list[tuple[Task, str]]:
    """The definition the store's block index must agree with: pending, a dependency failed or blocked."""
    out = []
    for t in tasks:
        if t.status != TaskStatus.PENDING:
            continue
        for dep in t.depends_on:
            if by_id[dep].status in (TaskStatus.FAILED, TaskStatus.BLOCKED):
                out.append((t, dep))
                break
    return out


def ready(store: QueueStore) -> list[Task]:
    """Every ready task, oldest first, from the store's index."""
    return store.first_ready(len(store.tasks))


def make_store() -> tuple[QueueStore, list[AuditRecord]]:
    bus = EventBus()
    records: list[AuditRecord] = []
    bus.subscribe(lambda ev: records.append(ev) if isinstance(ev, AuditRecord) else None)
    store = QueueStore(run_id="run-1", install_dir=Path("/p"), clock=FrozenClock(step=1), ids=SequentialIds(), bus=bus)
    return store, records


def add(store: QueueStore, task_type: str = "install", deps: list[str] | None = None, by: str = "orchestrator") -> str:
    return store.enqueue(
        task_type=task_type,
        label=task_type,
        inputs={},
        depends_on=deps or [],
        reason="r",
        model=None,
        enqueued_by=by,
        depth=0,
    ).id


def test_enqueue_start_complete_records_each_transition() -> None:
    store, records = make_store()
    tid = add(store)
    assert store.get(tid).status == TaskStatus.PENDING
    store.start(tid)
    task = store.get(tid)
    assert task.status == TaskStatus.RUNNING and task.attempts == 1 and task.started_at is not None
    store.complete(tid, TaskStatus.DONE, HANDOFF)
    assert store.get(tid).status == TaskStatus.DONE and store.get(tid).handoff == HANDOFF
    assert [r.event for r in records] == ["enqueue", "start", "complete"]
    assert records[-1].status == "done" and records[-1].attempts == 1


def test_skip_counts_as_satisfied_for_dependents() -> None:
    store, records = make_store()
    a = add(store)
    b = add(store, "init", [a])
    store.start(a)
    store.complete(a, TaskStatus.SKIPPED, HANDOFF)
    assert records[-1].event == "skip"
    assert [t.id for t in runnable(store.tasks.values(), store.tasks)] == [b]


def test_requeue_then_fail_and_block_dependents() -> None:
    store, records = make_store()
    a = add(store)
    b = add(store, "init", [a])
    c = add(store, "identify", [b])
    store.start(a)
    store.requeue(a, TaskError(kind="no-report", message="m"))
    assert store.get(a).status == TaskStatus.PENDING and store.get(a).attempts == 1
    store.start(a)
    assert store.get(a).attempts == 2
    store.fail(a, TaskError(kind="no-report", message="m"))
    assert [(t.id, dep) for t, dep in to_block(store.tasks.values(), store.tasks)] == [(b, a)]
    store.block(b, a)
    assert store.get(b).status == TaskStatus.BLOCKED and a in store.get(b).error.message  # type: ignore[union-attr]
    assert [(t.id, dep) for t, dep in to_block(store.tasks.values(), store.tasks)] == [(c, b)]
    events = [r.event for r in records]
    assert events[-4:] == ["requeue", "start", "fail", "block"]


def test_illegal_transitions_raise() -> None:
    store, _ = make_store()
    tid = add(store)
    with pytest.raises(TransitionError):
        store.complete(tid, TaskStatus.DONE, HANDOFF)  # not running
    store.start(tid)
    with pytest.raises(TransitionError):
        store.start(tid)
    with pytest.raises(TransitionError):
        store.complete(tid, TaskStatus.FAILED, HANDOFF)


def test_interrupt_gives_the_attempt_back_and_resume_resets() -> None:
    store, records = make_store()
    tid = add(store)
    store.start(tid)
    store.interrupt(tid)
    task = store.get(tid)
    assert task.status == TaskStatus.RUNNING and task.attempts == 0 and task.error.kind == "interrupted"  # type: ignore[union-attr]
    store.reset_for_resume(tid)
    assert store.get(tid).status == TaskStatus.PENDING
    assert records[-1].event == "reset"


def test_resume_gives_back_the_attempt_a_kill_cut_short_even_the_last() -> None:
    """A kill is not the agent's failure: the task is pending again with that attempt unused."""
    store, _ = make_store()
    tid = add(store)
    store.start(tid)
    store.requeue(tid, TaskError(kind="x", message="y"))
    store.start(tid)
    store.reset_for_resume(tid)
    assert store.get(tid).status == TaskStatus.PENDING and store.get(tid).attempts == 1


def test_snapshot_round_trips_through_json() -> None:
    store, _ = make_store()
    add(store)
    text = store.render().decode()
    again = QueueFile.model_validate_json(text)
    assert again.tasks[0].id == "t-001" and again.run_id == "run-1" and again.version == 1


def test_verdict() -> None:
    store, _ = make_store()
    a = add(store)
    store.set_orchestrator("done")
    assert not verdict(store.snapshot()).ok
    store.start(a)
    store.complete(a, TaskStatus.DONE, HANDOFF)
    v = verdict(store.snapshot())
    assert v.ok and v.sentence() == "All 1 tasks done."
    b = add(store, "init")
    store.start(b)
    store.fail(b, TaskError(kind="k", message="m"))
    v = verdict(store.snapshot())
    assert not v.ok and v.failed == [b] and b in v.sentence()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=60))
def test_indexes_agree_with_the_pure_scans(steps: list[tuple[int, int, int]]) -> None:
    """Whatever transitions happen, the store's ready/blockable indexes equal a full scan."""
    store, _ = make_store()
    for action, a, b in steps:
        ids = list(store.tasks)
        if action == 0 or not ids:
            deps = sorted({ids[a % len(ids)], ids[b % len(ids)]}) if ids and a % 3 else []
            store.enqueue(
                task_type="capture",
                label="x",
                inputs={"n": len(ids)},
                depends_on=deps,
                reason="r",
                model=None,
                enqueued_by="orchestrator",
                depth=0,
            )
        else:
            task = store.tasks[ids[a % len(ids)]]
            if task.status == TaskStatus.PENDING and task.id in {t.id for t in ready(store)}:
                store.start(task.id)
            elif task.status == TaskStatus.RUNNING:
                match action:
                    case 1:
                        store.complete(task.id, TaskStatus.DONE, HANDOFF)
                    case 2:
                        store.complete(task.id, TaskStatus.SKIPPED, HANDOFF)
                    case 3:
                        store.fail(task.id, TaskError(kind="k", message="m"))
                    case 4:
                        store.requeue(task.id, TaskError(kind="k", message="m"))
                    case _:
                        store.interrupt(task.id)
                        store.reset_for_resume(task.id)
            elif task.status == TaskStatus.PENDING:
                blockers = dict((t.id, d) for t, d in store.blockable())
                if task.id in blockers:
                    store.block(task.id, blockers[task.id])
        tasks = store.tasks
        assert [t.id for t in ready(store)] == [t.id for t in runnable(tasks.values(), tasks)]
        assert {t.id for t, _ in store.blockable()} == {t.id for t, _ in to_block(tasks.values(), tasks)}
        assert [t.id for t in store.first_ready(2)] == [t.id for t in runnable(tasks.values(), tasks)][:2]
    again = QueueStore.from_file(store.snapshot(), clock=store.clock, ids=store.ids, bus=store.bus)
    assert [t.id for t in ready(again)] == [t.id for t in ready(store)]
    assert QueueFile.model_validate_json(store.render()).tasks == store.snapshot().tasks


def test_a_run_with_skipped_tasks_does_not_say_all_done() -> None:
    counts = {s.value: 0 for s in TaskStatus} | {"done": 3, "skipped": 5}
    v = RunVerdict(True, 8, counts, [], [], [], True)
    assert v.sentence() == "All 8 tasks finished: 3 done, 5 skipped (their handoffs say why)."
