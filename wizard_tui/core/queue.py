"""The queue store: the in-memory truth of a run, and every transition a task can make.

Each transition updates the task, then publishes one audit record on the event bus;
persistence, telemetry, the headless printer and the UI all follow from that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard_tui.core.clock import Clock, IdFactory
from wizard_tui.core.events import EventBus
from wizard_tui.core.models import (
    AuditRecord,
    Handoff,
    OrchestratorState,
    QueueFile,
    Task,
    TaskError,
    TaskStatus,
)


class TransitionError(Exception):
    """A transition that the task's current status does not allow: a bug in the caller."""


@dataclass(frozen=True)
class Verdict:
    """How a run ended, from the statuses alone."""

    ok: bool
    total: int
    counts: dict[str, int]
    failed: list[str]
    blocked: list[str]
    unfinished: list[str]
    orchestrator_ok: bool

    def sentence(self) -> str:
        if self.ok:
            return f"All {self.total} tasks done."
        parts = []
        if not self.orchestrator_ok:
            parts.append("the orchestrator did not finish seeding")
        if self.failed:
            parts.append(f"failed: {', '.join(self.failed)}")
        if self.blocked:
            parts.append(f"blocked: {', '.join(self.blocked)}")
        if self.unfinished:
            parts.append(f"not finished: {', '.join(self.unfinished)}")
        if not parts:
            parts.append("no tasks were enqueued")
        return "Run did not complete: " + "; ".join(parts) + "."


def runnable(tasks: Iterable[Task], by_id: Mapping[str, Task]) -> list[Task]:
    """Pending tasks whose dependencies are all satisfied, oldest first."""
    return [
        t
        for t in tasks
        if t.status == TaskStatus.PENDING and all(by_id[d].status.satisfied for d in t.depends_on)
    ]


def to_block(tasks: Iterable[Task], by_id: Mapping[str, Task]) -> list[tuple[Task, str]]:
    """Pending tasks with a dependency that failed or was blocked, with that dependency's id."""
    out = []
    for t in tasks:
        if t.status != TaskStatus.PENDING:
            continue
        for dep in t.depends_on:
            if by_id[dep].status in (TaskStatus.FAILED, TaskStatus.BLOCKED):
                out.append((t, dep))
                break
    return out


def verdict(queue: QueueFile) -> Verdict:
    counts = {s.value: 0 for s in TaskStatus}
    for t in queue.tasks:
        counts[t.status.value] += 1
    failed = [t.id for t in queue.tasks if t.status == TaskStatus.FAILED]
    blocked = [t.id for t in queue.tasks if t.status == TaskStatus.BLOCKED]
    unfinished = [t.id for t in queue.tasks if not t.status.terminal]
    orchestrator_ok = queue.orchestrator.status == "done"
    ok = orchestrator_ok and bool(queue.tasks) and all(t.status.satisfied for t in queue.tasks)
    return Verdict(ok, len(queue.tasks), counts, failed, blocked, unfinished, orchestrator_ok)


class QueueStore:
    """Holds the tasks of one run and applies transitions to them."""

    def __init__(
        self,
        *,
        run_id: str,
        install_dir: Path,
        clock: Clock,
        ids: IdFactory,
        bus: EventBus,
        created_at: Any = None,
    ) -> None:
        self.run_id = run_id
        self.install_dir = install_dir
        self.clock = clock
        self.ids = ids
        self.bus = bus
        self.created_at = created_at or clock.now()
        self.updated_at = self.created_at
        self.tasks: dict[str, Task] = {}
        self.orchestrator = OrchestratorState()
        self.framework: str | None = None
        self.backend: str | None = None
        self.model: str | None = None
        self.finished = False
        self._listeners: list[Callable[[], None]] = []

    # -- observation -------------------------------------------------------------------------

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every change (the executor's wake-up, the queue file writer)."""
        self._listeners.append(listener)

    def snapshot(self) -> QueueFile:
        return QueueFile(
            run_id=self.run_id,
            install_dir=str(self.install_dir),
            created_at=self.created_at,
            updated_at=self.updated_at,
            framework=self.framework,
            backend=self.backend,
            model=self.model,
            finished=self.finished,
            orchestrator=self.orchestrator.model_copy(),
            tasks=[t.model_copy() for t in self.tasks.values()],
        )

    def render(self) -> bytes:
        """The bytes of `queue.json` for the current state."""
        return self.snapshot().model_dump_json(indent=2).encode("utf-8") + b"\n"

    def get(self, task_id: str) -> Task:
        return self.tasks[task_id]

    @classmethod
    def from_file(cls, queue: QueueFile, *, clock: Clock, ids: IdFactory, bus: EventBus) -> QueueStore:
        store = cls(
            run_id=queue.run_id,
            install_dir=Path(queue.install_dir),
            clock=clock,
            ids=ids,
            bus=bus,
            created_at=queue.created_at,
        )
        store.tasks = {t.id: t for t in queue.tasks}
        store.orchestrator = queue.orchestrator
        store.framework = queue.framework
        store.backend = queue.backend
        store.model = queue.model
        return store

    # -- plumbing ----------------------------------------------------------------------------

    def _changed(self) -> None:
        self.updated_at = self.clock.now()
        for listener in list(self._listeners):
            listener()

    def audit(self, event: str, task: Task | None = None, **extra: Any) -> AuditRecord:
        """Publish one audit record (also used for guard trips, which change no task)."""
        record = AuditRecord(
            ts=self.clock.now(),
            run_id=self.run_id,
            event=event,
            task_id=task.id if task else None,
            type=task.type if task else extra.pop("type", None),
            status=task.status.value if task else extra.pop("status", None),
            attempts=task.attempts if task else None,
            **extra,
        )
        self.bus.publish(record)
        return record

    def _expect(self, task_id: str, *allowed: TaskStatus) -> Task:
        task = self.tasks.get(task_id)
        if task is None:
            raise TransitionError(f"no task {task_id}")
        if task.status not in allowed:
            raise TransitionError(f"task {task_id} is {task.status.value}, not {allowed}")
        return task

    # -- transitions -------------------------------------------------------------------------

    def set_orchestrator(self, status: str, error: TaskError | None = None) -> None:
        now = self.clock.now()
        state = self.orchestrator
        if status == "running" and state.started_at is None:
            state.started_at = now
        if status in ("done", "failed", "interrupted"):
            state.finished_at = now
        state.status = status  # type: ignore[assignment]
        state.error = error
        extra: dict[str, Any] = {"error": error.model_dump()} if error else {}
        self.audit("orchestrator", None, status=status, **extra)
        self._changed()

    def enqueue(
        self,
        *,
        task_type: str,
        label: str,
        inputs: dict[str, Any],
        depends_on: list[str],
        reason: str,
        model: str | None,
        enqueued_by: str,
        depth: int,
        max_attempts: int = 2,
    ) -> Task:
        task = Task(
            id=self.ids("t"),
            type=task_type,
            label=label,
            depends_on=list(depends_on),
            inputs=inputs,
            model=model,
            enqueued_by=enqueued_by,
            depth=depth,
            reason=reason,
            max_attempts=max_attempts,
            created_at=self.clock.now(),
        )
        while task.id in self.tasks:  # ids are random; a clash is rare but must not overwrite
            task.id = self.ids("t")
        self.tasks[task.id] = task
        self.audit(
            "enqueue",
            task,
            label=label,
            depends_on=task.depends_on,
            enqueued_by=enqueued_by,
            depth=depth,
        )
        self._changed()
        return task

    def start(self, task_id: str) -> Task:
        task = self._expect(task_id, TaskStatus.PENDING)
        task.status = TaskStatus.RUNNING
        task.attempts += 1
        task.started_at = self.clock.now()
        task.finished_at = None
        task.error = None
        self.audit("start", task)
        self._changed()
        return task

    def complete(self, task_id: str, status: TaskStatus, handoff: Handoff) -> Task:
        """The agent reported done or skipped."""
        if status not in (TaskStatus.DONE, TaskStatus.SKIPPED):
            raise TransitionError(f"complete() takes done or skipped, not {status}")
        task = self._expect(task_id, TaskStatus.RUNNING)
        task.status = status
        task.handoff = handoff
        task.finished_at = self.clock.now()
        self.audit("complete" if status == TaskStatus.DONE else "skip", task)
        self._changed()
        return task

    def fail(self, task_id: str, error: TaskError, handoff: Handoff | None = None) -> Task:
        task = self._expect(task_id, TaskStatus.RUNNING, TaskStatus.PENDING)
        task.status = TaskStatus.FAILED
        task.error = error
        if handoff is not None:
            task.handoff = handoff
        task.finished_at = self.clock.now()
        self.audit("fail", task, error=error.model_dump())
        self._changed()
        return task

    def requeue(self, task_id: str, error: TaskError) -> Task:
        """A failed attempt with attempts left goes back to pending."""
        task = self._expect(task_id, TaskStatus.RUNNING)
        task.status = TaskStatus.PENDING
        task.error = error
        task.finished_at = self.clock.now()
        self.audit("requeue", task, error=error.model_dump())
        self._changed()
        return task

    def block(self, task_id: str, failed_dep: str) -> Task:
        task = self._expect(task_id, TaskStatus.PENDING)
        dep = self.tasks[failed_dep]
        task.status = TaskStatus.BLOCKED
        task.error = TaskError(
            kind="blocked",
            message=f"dependency {dep.id} ({dep.type}) {dep.status.value}",
        )
        task.finished_at = self.clock.now()
        self.audit("block", task, blocked_by=failed_dep)
        self._changed()
        return task

    def interrupt(self, task_id: str) -> Task:
        """Ctrl-C while the task ran: it stays `running` on disk so `--resume` picks it up.

        The interrupted attempt is given back, since the agent did not get to finish it.
        """
        task = self._expect(task_id, TaskStatus.RUNNING)
        task.attempts = max(0, task.attempts - 1)
        task.error = TaskError(kind="interrupted", message="the run was interrupted")
        self.audit("interrupt", task)
        self._changed()
        return task

    def reset_for_resume(self, task_id: str) -> Task:
        """On `--resume`: a task left `running` returns to pending, or fails without attempts."""
        task = self._expect(task_id, TaskStatus.RUNNING)
        if task.attempts < task.max_attempts:
            task.status = TaskStatus.PENDING
            task.error = None
            task.started_at = None
            self.audit("reset", task, to="pending")
        else:
            task.status = TaskStatus.FAILED
            task.error = TaskError(
                kind="attempts-exhausted",
                message="the task was running when the run stopped and has no attempts left",
            )
            task.finished_at = self.clock.now()
            self.audit("reset", task, to="failed")
        self._changed()
        return task

    def mark_finished(self) -> None:
        self.finished = True
        self._changed()
