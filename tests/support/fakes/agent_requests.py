"""Build one agent's request over a real run dir, to drive a backend without a whole Run."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.support.harness import Harness
from wizard_tui.agents.base import AgentRequest
from wizard_tui.domain.resolver import resolve_orchestrator, resolve_task
from wizard_tui.engine.tools import ToolContext, build_toolbox


def task_request(
    harness: Harness,
    task_type: str = "install",
    *,
    inputs: dict[str, Any] | None = None,
    depends_on: list[str] | None = None,
    model: str | None = None,
    max_turns: int | None = None,
    timeout_s: float = 300.0,
    stub: bool = True,
) -> tuple[AgentRequest, ToolContext]:
    """A fresh task of `task_type` in the harness's queue, resolved as the executor would."""
    task = harness.store.enqueue(
        task_type=task_type,
        label=f"A {task_type} task",
        inputs=inputs or {},
        depends_on=depends_on or [],
        reason="test",
        model=model,
        enqueued_by="orchestrator",
        depth=0,
    )
    # The loop's mechanics are tested with the skeleton's bodies (the stub's tools, one shared
    # system prompt); the real bodies have tests of their own.
    agent = resolve_task(
        task,
        harness.services.library,
        harness.store.tasks,
        forced_model=None,
        default_model="claude-sonnet-4-6",
        stub=stub,
    )
    if max_turns is not None:
        agent = replace(agent, max_turns=max_turns)
    context = ToolContext(services=harness.services, agent_id=task.id, task=task)
    return AgentRequest(agent=agent, tools=build_toolbox(agent.tools, context), task=task, timeout_s=timeout_s), context


def orchestrator_request(harness: Harness, *, timeout_s: float = 300.0) -> tuple[AgentRequest, ToolContext]:
    agent = resolve_orchestrator(
        harness.services.library,
        install_dir_name=harness.project.name,
        forced_model=None,
        default_model="claude-sonnet-4-6",
    )
    context = ToolContext(services=harness.services, agent_id="orchestrator")
    return AgentRequest(agent=agent, tools=build_toolbox(agent.tools, context), timeout_s=timeout_s), context
