"""The queue store: the in-memory truth of a run, and every transition a task can make.

Each transition updates the task, tells the queue's indexes (`queue_index.py`: what is
ready, what must be blocked, what the guards count), then publishes one audit record on
the event bus, carrying what anyone downstream needs to know of it (the model that ran,
how long it took); the recorder, telemetry, the headless printer and the UI all follow
from that.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from wizard_tui.domain.clock import Clock, IdFactory
from wizard_tui.domain.events import EventBus
from wizard_tui.domain.models import (
    AuditRecord,
    Handoff,
    OrchestratorState,
    QueueFile,
    Task,
    TaskError,
    TaskStatus,
)
from wizard_tui.domain.printable import path_text
from wizard_tui.domain.queue_index import QueueIndex
from wizard_tui.domain.settings import MAX_ATTEMPTS


class TransitionError(Exception):
    """A transition that the task's current status does not allow: a bug in the caller."""


def join_chunks(chunks: list[bytes]) -> bytes:
    """The inverse of `QueueStore.render_chunks`: head, the tasks one per line, the closing."""
    return chunks[0] + b",\n".join(chunks[1:]) + b"\n]}\n"


SKIP_REASON_CHARS = 300  # of a skipped task's handoff `did`, carried on its audit line


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
        # Ready tasks, tasks to block, the guards' counts: kept in step with every transition.
        self.index = QueueIndex(self.tasks, seeding=self._seeding)
        # Each task's serialised JSON, in queue order, and the positions that changed since the
        # last render: a write of a big queue re-serialises only what changed, then one join.
        self._json_parts: list[bytes] = []
        self._json_dirty: set[int] = set()

    # -- observation -------------------------------------------------------------------------

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every change (the executor's wake-up, the queue file writer)."""
        self._listeners.append(listener)

    def _queue_file(self, tasks: list[Task]) -> QueueFile:
        return QueueFile(
            run_id=self.run_id,
            install_dir=path_text(self.install_dir),
            created_at=self.created_at,
            updated_at=self.updated_at,
            framework=self.framework,
            backend=self.backend,
            model=self.model,
            finished=self.finished,
            orchestrator=self.orchestrator.model_copy(),
            tasks=tasks,
        )

    def snapshot(self) -> QueueFile:
        return self._queue_file([t.model_copy() for t in self.tasks.values()])

    def render(self) -> bytes:
        """The bytes of `queue.json` for the current state: one line per task."""
        return join_chunks(self.render_chunks())

    def render_chunks(self) -> list[bytes]:
        """`queue.json` as pieces to join: cheap on the event loop, the join can happen elsewhere.

        Each task's JSON is cached until it changes, so a write of a big queue re-serialises
        only what changed and copies a list of references; the big join is left to the writer.
        """
        head = self._queue_file([]).model_dump_json()
        assert head.endswith('"tasks":[]}')
        for position in self._json_dirty:
            task = self.tasks[self.index.order[position]]
            self._json_parts[position] = task.model_dump_json().encode("utf-8")
        self._json_dirty.clear()
        return [head[: -len("[]}")].encode("utf-8") + b"[\n", *self._json_parts]

    def first_ready(self, limit: int) -> list[Task]:
        """The `limit` oldest ready tasks, in queue order, in O(limit log n)."""
        return self.index.first_ready(limit)

    def blockable(self) -> list[tuple[Task, str]]:
        """Pending tasks with a dependency that failed or was blocked (from the index)."""
        return self.index.blockable()

    def rebuild_indexes(self) -> None:
        """Recompute every index from the tasks (after loading a queue file)."""
        self.index = QueueIndex(self.tasks, seeding=self._seeding)  # `tasks` may be a new dict
        self._json_parts = [b""] * len(self.index.order)
        self._json_dirty = set(range(len(self.index.order)))

    def _added(self, task: Task) -> None:
        """A new task, at the end of the queue."""
        self.index.added(task)
        self._json_parts.append(b"")
        self._json_dirty.add(self.index.position[task.id])

    def _seeding(self) -> bool:
        """The orchestrator may still enqueue, so `after_others` tasks wait."""
        return self.orchestrator.status in ("pending", "running")

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
        store.rebuild_indexes()
        return store

    # -- plumbing ----------------------------------------------------------------------------

    def _changed(self, task: Task | None = None) -> None:
        if task is not None:
            self._json_dirty.add(self.index.position[task.id])
        self.updated_at = self.clock.now()
        for listener in list(self._listeners):
            listener()

    def audit(self, event: str, task: Task | None = None, /, **extra: Any) -> AuditRecord:
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

    def set_orchestrator(self, status: str, error: TaskError | None = None, *, duration_ms: int = 0) -> None:
        """The orchestrator's status; when seeding ends, with what it seeded and how long it took."""
        now = self.clock.now()
        state = self.orchestrator
        if status == "running" and state.started_at is None:
            state.started_at = now
        if status in ("done", "failed", "interrupted"):
            state.finished_at = now
        state.status = status  # type: ignore[assignment]
        state.error = error
        extra: dict[str, Any] = {"error": error.model_dump()} if error else {}
        if status in ("done", "failed"):
            extra.update(
                task_count=len(self.tasks),
                types=sorted({t.type for t in self.tasks.values()}),
                duration_ms=duration_ms,
            )
        self.audit("orchestrator", None, status=status, **extra)
        self.index.release()
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
        max_attempts: int = MAX_ATTEMPTS,
        after_others: bool = False,
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
            after_others=after_others,
            created_at=self.clock.now(),
        )
        while task.id in self.tasks:  # ids are random; a clash is rare but must not overwrite
            task.id = self.ids("t")
        self.tasks[task.id] = task
        self._added(task)
        self.audit(
            "enqueue",
            task,
            label=label,
            depends_on=task.depends_on,
            enqueued_by=enqueued_by,
            depth=depth,
        )
        self._changed(task)
        return task

    def start(self, task_id: str, *, model: str | None = None, ms_since_run_start: int = 0) -> Task:
        """An agent starts on the task: `model` is the one resolved for it (else the task's override)."""
        task = self._expect(task_id, TaskStatus.PENDING)
        task.status = TaskStatus.RUNNING
        task.attempts += 1
        task.started_at = self.clock.now()
        task.finished_at = None
        task.error = None
        self.index.left_pending(task)
        self.audit("start", task, model=model or task.model, ms_since_run_start=ms_since_run_start)
        self._changed(task)
        return task

    def complete(
        self,
        task_id: str,
        status: TaskStatus,
        handoff: Handoff,
        *,
        model: str | None = None,
        duration_ms: int = 0,
        finished_at: datetime | None = None,
    ) -> Task:
        """The agent (of `model`, after `duration_ms`) reported done or skipped; `finished_at`:
        when its handoff file was stamped."""
        if status not in (TaskStatus.DONE, TaskStatus.SKIPPED):
            raise TransitionError(f"complete() takes done or skipped, not {status}")
        task = self._expect(task_id, TaskStatus.RUNNING)
        task.status = status
        task.handoff = handoff
        task.finished_at = finished_at or self.clock.now()
        self.index.settled(task)
        # A skip says why on its own line, so a log shows it without opening the handoff.
        why = {"reason": handoff.did[:SKIP_REASON_CHARS]} if status == TaskStatus.SKIPPED else {}
        self.audit(
            "complete" if status == TaskStatus.DONE else "skip",
            task,
            model=model or task.model,
            duration_ms=duration_ms,
            **why,
        )
        self._changed(task)
        return task

    def fail(
        self,
        task_id: str,
        error: TaskError,
        handoff: Handoff | None = None,
        *,
        model: str | None = None,
        duration_ms: int = 0,
    ) -> Task:
        """Terminally failed: after its last attempt (of `model`, `duration_ms` long) or never started."""
        task = self._expect(task_id, TaskStatus.RUNNING, TaskStatus.PENDING)
        self.index.left_pending(task)
        task.status = TaskStatus.FAILED
        task.error = error
        if handoff is not None:
            task.handoff = handoff
        task.finished_at = self.clock.now()
        self.index.failed(task)
        self.index.settled(task)
        self.audit("fail", task, error=error.model_dump(), model=model or task.model, duration_ms=duration_ms)
        self._changed(task)
        return task

    def requeue(self, task_id: str, error: TaskError) -> Task:
        """A failed attempt with attempts left goes back to pending."""
        task = self._expect(task_id, TaskStatus.RUNNING)
        task.status = TaskStatus.PENDING
        task.error = error
        task.finished_at = self.clock.now()
        self.index.pending(task)
        self.audit("requeue", task, error=error.model_dump())
        self._changed(task)
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
        self.index.left_pending(task)
        self.index.settled(task)
        self.audit("block", task, blocked_by=failed_dep, model=task.model, duration_ms=0)
        self._changed(task)
        return task

    def interrupt(self, task_id: str) -> Task:
        """Ctrl-C while the task ran: it stays `running` on disk so `--resume` picks it up.

        The interrupted attempt is given back, since the agent did not get to finish it.
        """
        task = self._expect(task_id, TaskStatus.RUNNING)
        task.attempts = max(0, task.attempts - 1)
        task.error = TaskError(kind="interrupted", message="the run was interrupted")
        self.audit("interrupt", task)
        self._changed(task)
        return task

    def reset_for_resume(self, task_id: str) -> Task:
        """On `--resume`: a task left `running` was stopped by a crash or a kill, not by its agent.

        It returns to pending with the stopped attempt given back (an interrupt already gave it
        back), so kills alone never use up a task's attempts and never block its dependents.
        """
        task = self._expect(task_id, TaskStatus.RUNNING)
        if task.error is None or task.error.kind != "interrupted":
            task.attempts = max(0, task.attempts - 1)
        task.status = TaskStatus.PENDING
        task.error = None
        task.started_at = None
        self.index.pending(task)
        self.audit("reset", task, to="pending")
        self._changed(task)
        return task

    def mark_finished(self) -> None:
        self.finished = True
        self._changed()
