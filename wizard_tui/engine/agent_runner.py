"""The agent runner: one agent, for the orchestrator or a task, run the same way.

Build the agent's toolbox, run it on the backend under the run's timeout, sort how it
ended into an error a task (or the seeding) can record, add its tokens to the run's
totals and publish that it ended. The orchestrator's seeding and the executor's tasks
both run their agents here, so timeouts, backend failures and usage are handled once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wizard_tui.agents.base import AgentBackend, AgentError, AgentOutcome, AgentRequest, ApiRetry
from wizard_tui.domain.claude_models import MODELS, usage_cost_usd
from wizard_tui.domain.events import AGENT_ENDED, API_RETRY
from wizard_tui.domain.models import TaskError
from wizard_tui.domain.resolver import ResolvedAgent
from wizard_tui.domain.spend import Spend

if TYPE_CHECKING:
    from wizard_tui.engine.tools import ToolContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AgentRun:
    """How one agent ended: its outcome, whether it could run to its end, and its wall time."""

    outcome: AgentOutcome
    failure: TaskError | None  # it could not: a timeout, a backend error or a bug of ours
    duration_ms: int
    fatal: AgentError | None = None  # the backend can run no agent at all: the run must stop

    @property
    def error(self) -> TaskError | None:
        """Why the agent ended badly: its failure, else the error its outcome reports (say, max turns)."""
        if self.failure is None and self.outcome.error:
            return TaskError(kind=self.outcome.stop_reason or "agent-error", message=self.outcome.error)
        return self.failure


class AgentRunner:
    """Runs agents of one backend with one timeout, summing their token usage."""

    def __init__(self, backend: AgentBackend, *, timeout_s: float) -> None:
        self.backend = backend
        self.timeout_s = timeout_s
        self.spend = Spend()  # the run's tokens per model (the backend's one-request check included)

    def pin(self, agent: ResolvedAgent) -> ResolvedAgent:
        """A backend that runs no model (the offline agent) reports its own name as the model."""
        fixed = getattr(self.backend, "fixed_model", None)
        return dataclasses.replace(agent, model=fixed) if fixed else agent

    async def preflight(self, model: str) -> str | None:
        """One cheap request to the model API, before a run writes anything; the sentence when it fails.

        Its tokens join the run's. Backends that reach no network (the offline agent) have no `preflight`.
        """
        check = getattr(self.backend, "preflight", None)
        if check is None:
            return None
        try:
            usage = await check(model)
        except AgentError as exc:
            return str(exc)
        self.spend.add(model, usage.counters())
        return None

    async def aclose(self) -> None:
        """Close the backend with the run, if it holds connections (the anthropic client does)."""
        close = getattr(self.backend, "aclose", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()

    async def run(self, agent: ResolvedAgent, context: ToolContext) -> AgentRun:
        """Run `agent` bound to `context` to its end. Only cancellation propagates."""
        # Imported when an agent first runs, not with this module: the runner is built (and its
        # backend checked) before the terminal UI's first frame, which the tools do not need.
        from wizard_tui.engine.tools import build_toolbox
        from wizard_tui.telemetry.events import OTHER, STOP_WORDS

        store = context.services.store
        started = store.clock.monotonic()
        outcome: AgentOutcome | None = None
        failure: TaskError | None = None
        fatal: AgentError | None = None
        try:
            toolbox = build_toolbox(agent.tools, context, offered=agent.offered_tools)
            request = AgentRequest(
                agent=agent,
                tools=toolbox,
                task=context.task,
                timeout_s=self.timeout_s,
                on_retry=_retry_recorder(agent, context),
            )
            # In this task, not one of its own (as `wait_for` would make): one task less per agent.
            async with asyncio.timeout(self.timeout_s):
                outcome = await self.backend.run(request)
        except TimeoutError:
            failure = TaskError(kind="timeout", message=f"the agent ran over {self.timeout_s:.0f} s")
        except AgentError as exc:
            failure = TaskError(kind="agent-error", message=str(exc))
            outcome = exc.outcome
            fatal = exc if exc.fatal else None
        except Exception as exc:  # a bug of ours must end this agent visibly, not hang the run
            log.exception("agent %s crashed", context.agent_id)
            failure = TaskError(kind="internal", message=f"{type(exc).__name__}: {exc}")
        duration_ms = int((store.clock.monotonic() - started) * 1000)
        outcome = outcome or AgentOutcome(model=agent.model)
        # What the API answered (a model name, a stop reason, an error's text) is foreign: a name
        # we do not know is recorded as the model we asked for, a stop reason outside our words
        # as `other`, and error text is scrubbed of secrets like any string the model wrote.
        vault = context.services.secrets
        if outcome.model not in MODELS and outcome.model != agent.model:
            outcome.model = agent.model
        if outcome.stop_reason not in STOP_WORDS:
            outcome.stop_reason = OTHER
        if outcome.error:
            outcome.error = vault.scrub(outcome.error)
        if failure is not None:
            failure = failure.model_copy(update={"message": vault.scrub(failure.message)})
        usage = outcome.usage.counters()
        self.spend.add(outcome.model, usage)
        store.audit(
            AGENT_ENDED,
            agent_id=context.agent_id,
            task_type=agent.agent_type,
            model=outcome.model,
            turns=outcome.turns,
            **usage,
            cost_usd=usage_cost_usd(outcome.model, usage),
            duration_ms=duration_ms,
            stop_reason=outcome.stop_reason,
        )
        return AgentRun(outcome, failure, duration_ms, fatal)


def _retry_recorder(agent: ResolvedAgent, context: ToolContext) -> Callable[[ApiRetry], None]:
    """Publishes each wait on the model API as a fact, so the faces can show it while it lasts."""

    def record(note: ApiRetry) -> None:
        context.services.store.audit(
            API_RETRY,
            agent_id=context.agent_id,
            task_type=agent.agent_type,
            attempt=note.attempt,
            max_retries=note.max_retries,
            wait_s=round(note.wait_s, 3),
            cause=context.services.secrets.scrub(note.cause)[:200],  # the API's own text: foreign
        )

    return record
