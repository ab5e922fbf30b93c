"""The embedded offline agent: the prompts' procedures followed in code, through the tools.

It needs no key and no network, and it acts only through the same tools a model gets, so
the queue, executor, persistence, telemetry and UI run exactly as with a model. It is
deterministic: the same project gives the same graph and the same proposals.

Modules: `orchestrate` (the seed prompt), `stub` (the skeleton's body, and `--stub`),
`bodies` (one real body per task type) built on the integrators (`install`, `init_js`,
`init_node`, `init_py`, `init_django`, `identify`, `plan_capture`, `capture`, `capture_py`,
`llm`, `review`, `report`), which read the project through `project` and edit with the
parsers of `jsparse`/`jsedit` and `pyedit`, keeping their edits off lines that hold a secret.
"""

from __future__ import annotations

from wizard_tui.agents.base import AgentOutcome, AgentRequest
from wizard_tui.agents.offline.orchestrate import _AREA_PATTERN, orchestrate, pick_capture_areas
from wizard_tui.agents.offline.session import Session
from wizard_tui.agents.offline.stub import stub_task
from wizard_tui.domain.prompts import STUB_TYPE

OFFLINE_MODEL = "offline"

__all__ = ["OFFLINE_MODEL", "_AREA_PATTERN", "OfflineAgent", "pick_capture_areas"]


class OfflineAgent:
    """A deterministic agent. `pace_s` makes every turn take about that long, for demos."""

    name = "offline"
    default_model = OFFLINE_MODEL
    fixed_model = OFFLINE_MODEL  # front matter models mean nothing to it: report the truth

    def __init__(self, pace_s: float = 0.0) -> None:
        self.pace_s = pace_s

    async def run(self, request: AgentRequest) -> AgentOutcome:
        outcome = AgentOutcome(model=OFFLINE_MODEL)
        session = Session(request.tools, self.pace_s, outcome)
        stub = request.agent.body == STUB_TYPE
        if request.agent.kind == "orchestrator":
            await orchestrate(session, final_steps=not stub)
        elif stub:
            await stub_task(session, request)
        elif request.task is not None:
            # The real bodies and their parsers load with the first task, not at start-up, so
            # the terminal UI paints sooner (bench/bench_startup.py).
            from wizard_tui.agents.offline.bodies import BODIES
            from wizard_tui.agents.offline.context import TaskContext

            context = await TaskContext.load(session, request.task)
            body = BODIES.get(request.task.type)
            if body is None:
                await context.finish(
                    "skipped",
                    f"Carry out the {request.task.type} task.",
                    f"The offline agent has no body for the task type {request.task.type!r}.",
                    "Run with a model (--agent anthropic) for task types the offline agent does not know.",
                )
            else:
                await body(context)
        outcome.turns += 1  # the closing turn that ends the conversation
        return outcome
