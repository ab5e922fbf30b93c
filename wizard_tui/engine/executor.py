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
from collections.abc import Callable
from dataclasses import dataclass, field

from wizard_tui.agents.base import AgentBackend, AgentError, AgentOutcome, AgentRequest
from wizard_tui.domain.models import Task, TaskError, TaskStatus
from wizard_tui.domain.resolver import ResolvedAgent
from wizard_tui.engine.proposals import discard_quietly
from wizard_tui.engine.tools import Report, RunServices, ToolContext, build_toolbox

log = logging.getLogger(__name__)


class FatalAgentError(Exception):
    """The backend cannot run any agent (for example an invalid API key): stop the run."""


@dataclass
class ExecutorStats:
    starts: int = 0
    retried: set[str] = field(default_factory=set)


class Executor:
    """Drains a `QueueStore` with agents from one backend."""

    def __init__(
        self,
        services: RunServices,
        backend: AgentBackend,
        resolve: Callable[[Task], ResolvedAgent],
        *,
        concurrency: int = 1,
        agent_timeout_s: float = 300.0,
        on_agent_done: Callable[[ResolvedAgent, Task | None, AgentOutcome, float], None] | None = None,
    ) -> None:
        self.services = services
        self.store = services.store
        self.backend = backend
        self.resolve = resolve
        self.concurrency = max(1, concurrency)
        self.agent_timeout_s = agent_timeout_s
        self.on_agent_done = on_agent_done
        self.stats = ExecutorStats()
        self._wake = asyncio.Event()
        self._running: dict[str, asyncio.Task[None]] = {}
        self._fatal: BaseException | None = None
        self.store.on_change(self._wake.set)

    def wake(self) -> None:
        self._wake.set()

    async def drain(self, seeding_done: asyncio.Event) -> None:
        """Run tasks until seeding is over and nothing is runnable or running."""
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
                waiters: list[asyncio.Future[object]] = [asyncio.ensure_future(self._wake.wait())]
                if not seeding_done.is_set():
                    waiters.append(asyncio.ensure_future(seeding_done.wait()))
                try:
                    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for w in waiters:
                        w.cancel()
        except BaseException:
            await self._cancel_running()
            raise

    def _startable(self) -> bool:
        return bool(self.store.first_ready(1)) and not self._backstop_hit()

    def _backstop_hit(self) -> bool:
        return self.stats.starts >= self.services.limits.max_starts

    def _block_dependents(self) -> None:
        # Tasks are stored in enqueue order and deps always precede dependents, so repeating
        # until nothing changes reaches the transitive closure quickly.
        while True:
            pending = self.store.blockable()
            if not pending:
                return
            for task, dep in pending:
                blocked = self.store.block(task.id, dep)
                self.services.telemetry.emit(
                    "orchestrator task blocked",
                    type=blocked.type,
                    model=blocked.model,
                    attempts=blocked.attempts,
                    duration_ms=0,
                    blocked_by=dep,
                )

    def _start_runnable(self) -> None:
        for task in self.store.first_ready(self.concurrency - len(self._running)):
            if len(self._running) >= self.concurrency:
                return
            if task.id in self._running:
                continue
            if self._backstop_hit():
                return
            self.stats.starts += 1
            self.store.start(task.id)
            self._running[task.id] = asyncio.create_task(self._run_task(task.id), name=f"task {task.id}")

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
                self.services.telemetry.emit(
                    "orchestrator task failed",
                    type=task.type,
                    model=task.model,
                    attempts=task.attempts,
                    duration_ms=0,
                    error_kind="backstop",
                )
        self._block_dependents()

    async def _cancel_running(self) -> None:
        for handle in self._running.values():
            handle.cancel()
        for handle in list(self._running.values()):
            with contextlib.suppress(BaseException):
                await handle

    async def _run_task(self, task_id: str) -> None:
        task = self.store.get(task_id)
        clock = self.store.clock
        started = clock.monotonic()
        error: TaskError | None = None
        resolved: ResolvedAgent | None = None
        outcome: AgentOutcome | None = None
        context = ToolContext(services=self.services, agent_id=task.id, task=task)
        try:
            resolved = self.resolve(task)
            task_model = resolved.model
            self.services.telemetry.emit(
                "orchestrator task started",
                type=task.type,
                model=task_model,
                attempts=task.attempts,
                ms_since_run_start=self.services.ms_since_start(),
            )
            toolbox = build_toolbox(resolved.tools, context)
            request = AgentRequest(agent=resolved, tools=toolbox, task=task, timeout_s=self.agent_timeout_s)
            try:
                outcome = await asyncio.wait_for(self.backend.run(request), self.agent_timeout_s)
            except TimeoutError:
                error = TaskError(kind="timeout", message=f"the agent ran over {self.agent_timeout_s:.0f} s")
            except AgentError as exc:
                if exc.fatal:
                    self._fatal = FatalAgentError(str(exc))
                error = TaskError(kind="agent-error", message=str(exc))
                outcome = exc.outcome
            if error is None and outcome is not None and outcome.error and context.report is None:
                error = TaskError(kind=outcome.stop_reason or "agent-error", message=outcome.error)
        except asyncio.CancelledError:
            if self.store.get(task_id).status == TaskStatus.RUNNING:
                self.store.interrupt(task_id)
            raise
        except Exception as exc:  # a bug of ours in resolving or building tools
            log.exception("task %s crashed", task_id)
            error = TaskError(kind="internal", message=f"{type(exc).__name__}: {exc}")
        finally:
            self._running.pop(task_id, None)
            self._wake.set()
        duration_ms = int((clock.monotonic() - started) * 1000)
        if resolved is not None and self.on_agent_done is not None:
            self.on_agent_done(resolved, task, outcome or AgentOutcome(model=resolved.model), duration_ms)
        self._settle(task_id, context, error, duration_ms, resolved)

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

    def _discard_proposals(self, task: Task, reason: str) -> None:
        dropped = discard_quietly(self.services.proposals, task.id, task.attempts, reason)
        if dropped:
            self.store.audit("discard-proposals", task, count=dropped, reason=reason)

    def _settle(
        self,
        task_id: str,
        context: ToolContext,
        error: TaskError | None,
        duration_ms: int,
        resolved: ResolvedAgent | None,
    ) -> None:
        task = self.store.get(task_id)
        model = resolved.model if resolved else task.model
        report = context.report
        telemetry = self.services.telemetry
        if report is not None and report.status == TaskStatus.DONE and error is None:
            conflict = self._commit_proposals(task, report)
            if conflict is not None:
                error, report = TaskError(kind="conflict", message=conflict), None
        if report is not None and report.status in (TaskStatus.DONE, TaskStatus.SKIPPED):
            if report.status == TaskStatus.SKIPPED:
                self._discard_proposals(task, "the task ended skipped")
            self.store.complete(task_id, report.status, report.handoff)
            event = "completed" if report.status == TaskStatus.DONE else "skipped"
            telemetry.emit(
                f"orchestrator task {event}",
                type=task.type,
                model=model,
                attempts=task.attempts,
                duration_ms=duration_ms,
            )
            return
        if report is not None:  # the agent reported failed
            error = TaskError(kind="reported-failed", message=report.handoff.did[:500])
        elif error is None:
            error = TaskError(kind="no-report", message="the agent ended without calling complete_task")
        # A retry starts from a clean proposed state, never from half of this attempt.
        self._discard_proposals(task, f"the attempt did not finish ({error.kind})")
        if task.attempts < task.max_attempts and self._fatal is None:
            self.stats.retried.add(task_id)
            self.store.requeue(task_id, error)
            return
        self.store.fail(task_id, error, report.handoff if report else None)
        telemetry.emit(
            "orchestrator task failed",
            type=task.type,
            model=model,
            attempts=task.attempts,
            duration_ms=duration_ms,
            error_kind=error.kind,
        )
