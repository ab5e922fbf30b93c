"""The executor: drains the queue, one fresh agent per task, with retries and blocking.

It starts a task as soon as the task is runnable, even while the orchestrator is still
seeding (pipelining), runs up to `concurrency` tasks at once, retries an agent that did
not report (or reported failure) while attempts remain, and marks dependents of a
terminally failed task `blocked`. A backstop on the number of starts stops runaway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from wizard_tui.agents.base import AgentError
from wizard_tui.domain import nofollow
from wizard_tui.domain.models import HandoffFile, Task, TaskError, TaskStatus
from wizard_tui.domain.resolver import ResolvedAgent
from wizard_tui.engine.agent_runner import AgentRunner
from wizard_tui.engine.proposals import discard_quietly
from wizard_tui.engine.tools import Report, RunServices, ToolContext

log = logging.getLogger(__name__)


# Task errors the executor does not retry (see `_settle`).
FINAL_ERROR_KINDS = frozenset({"agent-error", "refusal"})


class Executor:
    """Drains a `QueueStore`, running each task's agent through the run's `AgentRunner`."""

    def __init__(
        self,
        services: RunServices,
        runner: AgentRunner,
        resolve: Callable[[Task], ResolvedAgent],
        *,
        save_handoff: Callable[[HandoffFile], Awaitable[None]],
        concurrency: int = 1,
        starts: int = 0,
    ) -> None:
        self.services = services
        self.save_handoff = save_handoff  # the recorder's: a done task's proof, on disk before it is done
        self.store = services.store
        self.runner = runner
        self.resolve = resolve
        self.concurrency = max(1, concurrency)
        self.starts = starts  # task starts so far in this run, resumed sessions included
        self._wake = asyncio.Event()
        self._running: dict[str, asyncio.Task[None]] = {}
        self._fatal: AgentError | None = None
        self.store.on_change(self._wake.set)

    async def drain(self, seeding_done: asyncio.Event) -> None:
        """Run tasks until seeding is over and nothing is runnable or running.

        Raises the backend's fatal `AgentError` (say, a key the API rejects) once its task settled.
        """
        # The end of seeding wakes the drain like any change of the queue: one waiter for the
        # whole drain, not two new ones at every turn.
        seeded = None if seeding_done.is_set() else asyncio.create_task(self._wake_after(seeding_done))
        try:
            while True:
                self._wake.clear()
                if self._fatal is not None:
                    raise self._fatal
                self._block_dependents()
                self._start_runnable()
                if not self._running and seeding_done.is_set() and not self._startable():
                    self._fail_leftovers()
                    return
                await self._wake.wait()
        except BaseException:
            await self._cancel_running()
            raise
        finally:
            if seeded is not None:
                seeded.cancel()

    async def _wake_after(self, event: asyncio.Event) -> None:
        await event.wait()
        self._wake.set()

    def _startable(self) -> bool:
        return bool(self.store.first_ready(1)) and not self._backstop_hit()

    def _backstop_hit(self) -> bool:
        return self.starts >= self.services.limits.max_starts

    def _block_dependents(self) -> None:
        # Tasks are stored in enqueue order and deps always precede dependents, so repeating
        # until nothing changes reaches the transitive closure quickly.
        while True:
            pending = self.store.blockable()
            if not pending:
                return
            for task, dep in pending:
                self.store.block(task.id, dep)

    def _start_runnable(self) -> None:
        for task in self.store.first_ready(self.concurrency - len(self._running)):
            if len(self._running) >= self.concurrency:
                return
            if task.id in self._running:
                continue
            if self._backstop_hit():
                return
            self.starts += 1
            agent, problem = self._resolve(task)
            self.store.start(
                task.id,
                model=agent.model if agent else None,
                ms_since_run_start=self.services.ms_since_start(),
            )
            self._running[task.id] = asyncio.create_task(
                self._run_task(task.id, agent, problem), name=f"task {task.id}"
            )

    def _resolve(self, task: Task) -> tuple[ResolvedAgent | None, TaskError | None]:
        try:
            return self.runner.pin(self.resolve(task)), None
        except Exception as exc:  # a bug of ours in resolving; the task fails like any other
            log.exception("resolving task %s failed", task.id)
            return None, TaskError(kind="internal", message=f"{type(exc).__name__}: {exc}")

    def _fail_leftovers(self) -> None:
        """Pending tasks that can never start (the backstop was hit) fail explicitly."""
        for task in list(self.store.tasks.values()):
            if task.status == TaskStatus.PENDING:
                self.store.fail(
                    task.id,
                    TaskError(
                        kind="backstop",
                        message=f"not started: the run hit its cap of {self.services.limits.max_starts} task starts",
                    ),
                )
        self._block_dependents()

    async def _cancel_running(self) -> None:
        for handle in self._running.values():
            handle.cancel()
        for handle in list(self._running.values()):
            with contextlib.suppress(BaseException):
                await handle

    async def _run_task(self, task_id: str, agent: ResolvedAgent | None, error: TaskError | None) -> None:
        try:
            await self._attempt(task_id, agent, error)
        finally:
            # Only once the task has settled (its proof on disk): until then it still counts as
            # running, so the drain cannot end, or start its dependents, under it.
            self._running.pop(task_id, None)
            self._wake.set()

    async def _attempt(self, task_id: str, agent: ResolvedAgent | None, error: TaskError | None) -> None:
        task = self.store.get(task_id)
        context = ToolContext(services=self.services, agent_id=task.id, task=task)
        duration_ms = 0
        # An attempt number can come round again (an interrupted attempt is not counted), and a new
        # attempt must never inherit what an earlier one staged under the same number.
        self._discard_proposals(task, "a new attempt started")
        try:
            if agent is not None:
                ran = await self.runner.run(agent, context)
                # What the agent reported wins over what its outcome says, unless it never finished.
                error = ran.failure if context.report is not None else ran.error
                duration_ms = ran.duration_ms
                self._fatal = self._fatal or ran.fatal
        except asyncio.CancelledError:
            attempt = task.attempts  # before the interrupt, which may give the attempt back
            if self.store.get(task_id).status == TaskStatus.RUNNING:
                self.store.interrupt(task_id)
            self._discard_proposals(task, "the run was interrupted", attempt)
            raise
        await self._settle(task_id, context, error, duration_ms, agent)

    async def _write_handoff(self, task: Task, report: Report) -> datetime | None:
        """A done or skipped task's handoff file, on disk before the task counts as done.

        None when it could not be written (the run is then stopping, and the task stays running
        on disk, so --resume runs it again).
        """
        finished_at = self.store.clock.now()
        record = HandoffFile.of(
            task.model_copy(update={"status": report.status, "handoff": report.handoff, "finished_at": finished_at})
        )
        try:
            await self.save_handoff(record)
        except OSError as exc:
            if self.services.on_disk_error is not None:
                self.services.on_disk_error(exc)
            return None
        return finished_at

    def _commit_proposals(self, task: Task, report: Report) -> str | None:
        """Commit the attempt's proposals and list their files in its handoff; a sentence on conflict."""
        proposals = self.services.proposals
        try:
            conflict = proposals.commit(task.id, task.attempts)
        except OSError as exc:
            return f"its proposals could not be recorded in the run dir ({exc.strerror or exc})"
        if conflict is None:
            # The handoff names every file the task changed, even when the agent forgot some.
            files = list(dict.fromkeys([*report.handoff.files_touched, *proposals.files_of(task.id, task.attempts)]))
            if files != report.handoff.files_touched:
                report.handoff = report.handoff.model_copy(update={"files_touched": files})
        return conflict

    def _discard_proposals(self, task: Task, reason: str, attempt: int | None = None) -> None:
        attempt = task.attempts if attempt is None else attempt
        dropped = discard_quietly(self.services.proposals, task.id, attempt, reason)
        if dropped:
            self.store.audit("discard-proposals", task, count=dropped, reason=reason)

    async def _settle(
        self,
        task_id: str,
        context: ToolContext,
        error: TaskError | None,
        duration_ms: int,
        agent: ResolvedAgent | None,
    ) -> None:
        """Record what the agent reported; without a good report, retry while attempts remain.

        A task is done only with its proof on disk: its handoff file, and a stub body's marker.
        """
        task = self.store.get(task_id)
        model = agent.model if agent else None
        report = context.report
        if report is not None and report.status == TaskStatus.DONE and error is None:
            if (
                agent is not None
                and "write_marker" in agent.tools
                and not nofollow.lexists(self.services.paths.marker(task_id))
            ):
                error, report = TaskError(kind="no-marker", message="the agent reported done without its marker"), None
            else:
                conflict = self._commit_proposals(task, report)
                if conflict is not None:
                    error, report = TaskError(kind="conflict", message=conflict), None
        if report is not None and report.status in (TaskStatus.DONE, TaskStatus.SKIPPED):
            if report.status == TaskStatus.SKIPPED:
                self._discard_proposals(task, "the task ended skipped")
            finished_at = await self._write_handoff(task, report)
            if finished_at is None:
                return
            self.store.complete(
                task_id, report.status, report.handoff, model=model, duration_ms=duration_ms, finished_at=finished_at
            )
            return
        if report is not None:  # the agent reported failed
            error = TaskError(kind="reported-failed", message=report.handoff.did[:500])
        elif error is None:
            error = TaskError(kind="no-report", message="the agent ended without calling complete_task")
        # A retry starts from a clean proposed state, never from half of this attempt.
        self._discard_proposals(task, f"the attempt did not finish ({error.kind})")
        # An agent that ended on an API failure had its requests retried already, and a refusal
        # would be refused again: running it once more would only multiply the retries.
        if task.attempts < task.max_attempts and self._fatal is None and error.kind not in FINAL_ERROR_KINDS:
            self.store.requeue(task_id, error)
            return
        self.store.fail(task_id, error, report.handoff if report else None, model=model, duration_ms=duration_ms)
