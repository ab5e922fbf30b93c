"""The work of a run: the orchestrator's agent seeds the queue while (or before) the executor drains it.

`drive` never raises for what an agent or the person did: Ctrl-C (or a disk fault, which
cancels the work the same way) leaves every running task marked interrupted, a backend that
can run no agent ends the work with its sentence, and detection failing is a bug logged,
not the run's end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from wizard_tui.agents.base import AgentError
from wizard_tui.domain.models import ORCHESTRATOR, TaskError, TaskStatus
from wizard_tui.domain.resolver import ResolvedAgent
from wizard_tui.domain.settings import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from wizard_tui.engine.agent_runner import AgentRunner
from wizard_tui.engine.executor import Executor
from wizard_tui.engine.tools import RunServices, ToolContext
from wizard_tui.engine.tools.project import detection_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkEnd:
    """How the work ended, before the verdict: interrupted, or the exit code and sentence so far."""

    interrupted: bool
    exit_code: int = EXIT_OK
    message: str = ""


Seeder = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


async def drive(services: RunServices, executor: Executor, seeder: Seeder, *, pipeline: bool) -> WorkEnd:
    """Seed and drain (pipelined, or the whole queue seeded first); `seeder` sets its event when seeding ends."""
    store = services.store
    seeding_done = asyncio.Event()
    orchestrator: asyncio.Task[None] | None = None
    # Detection starts with the run, beside the orchestrator's first request: no task starts
    # before it is known, so every task agent's shared prompt holds it (see shared_prompt).
    detecting = asyncio.ensure_future(detection_of(services))
    try:
        if store.orchestrator.status == "done":
            seeding_done.set()
        else:
            orchestrator = asyncio.create_task(seeder(seeding_done))
        await _settled(detecting)
        if pipeline or orchestrator is None:
            await executor.drain(seeding_done)
            if orchestrator is not None:
                await orchestrator
        else:
            await orchestrator
            await executor.drain(seeding_done)
    except asyncio.CancelledError:
        if orchestrator is not None and not orchestrator.done():
            orchestrator.cancel()
            with contextlib.suppress(BaseException):
                await orchestrator
        for task in store.tasks.values():
            if task.status == TaskStatus.RUNNING and (task.error is None or task.error.kind != "interrupted"):
                store.interrupt(task.id)
        store.audit("interrupted")
        return WorkEnd(interrupted=True)
    except AgentError as exc:
        # A key the API rejects is bad input, like a missing one: exit 2. Other failures: 1.
        store.audit("run-error", message=str(exc))
        return WorkEnd(False, EXIT_USAGE if exc.fatal else EXIT_FAILED, f"The agent backend failed: {exc}")
    return WorkEnd(interrupted=False)


async def seed(runner: AgentRunner, agent: ResolvedAgent, services: RunServices, seeding_done: asyncio.Event) -> None:
    """The orchestrator's agent seeds the queue; its status ends done, failed or interrupted."""
    store = services.store
    agent = runner.pin(agent)
    try:
        store.set_orchestrator("running")
        ran = await runner.run(agent, ToolContext(services=services, agent_id=ORCHESTRATOR))
        error = ran.error
        if error is None and not store.tasks:
            error = TaskError(kind="no-tasks", message="the orchestrator enqueued nothing")
        store.set_orchestrator("failed" if error else "done", error, duration_ms=ran.duration_ms)
    except asyncio.CancelledError:
        store.set_orchestrator("interrupted")
        raise
    finally:
        seeding_done.set()
    if ran.fatal is not None:
        raise ran.fatal


async def _settled(detecting: asyncio.Future[dict[str, Any]]) -> None:
    """Wait for the run's detection; a failure of ours there leaves the tasks without it, not the run."""
    try:
        await detecting
    except Exception:
        log.exception("detection failed")
