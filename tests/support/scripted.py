"""A scripted agent backend for tests: the orchestrator enqueues a fixed graph, tasks behave per type."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from wizard_tui.agents.base import AgentOutcome, AgentRequest

MEET_TIMEOUT_S = 30.0
HANDOFF = {"goal": "g", "did": "d", "for_next_agent": "n"}

# The seed graph by key: install and init as roots, identify and plan after both, capture after plan.
SKELETON: list[tuple[str, str, list[str]]] = [
    ("install", "install", []),
    ("init", "init", []),
    ("identify", "identify", ["install", "init"]),
    ("plan", "plan-capture", ["install", "init"]),
    ("capture", "capture", ["plan"]),
]


@dataclass
class ScriptedBackend:
    """`graph` is a list of (key, type, deps-by-key); `behaviour` maps a type to done|never|fail|flaky|skip."""

    graph: list[tuple[str, str, list[str]]]
    behaviour: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    # The orchestrator ends its turn only once a task agent has started (or 30 s passed): a test
    # of pipelining waits on that state, not on how many loop turns a start takes on a busy machine.
    hold_seeding_until_a_task_runs: bool = False
    name: str = "scripted"
    default_model: str = "scripted-model"
    ids: dict[str, str] = field(default_factory=dict)
    runs: list[str] = field(default_factory=list)
    concurrent: int = 0
    max_concurrent: int = 0
    # With `meet` N, tasks hold until N run at once (or MEET_TIMEOUT_S passes): a test of
    # concurrency then waits on that state, not on a delay outlasting the other task's start.
    meet: int = 0
    _met: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, request: AgentRequest) -> AgentOutcome:
        tools = request.tools
        if request.agent.kind == "orchestrator":
            for key, task_type, deps in self.graph:
                result = await tools.call(
                    "enqueue_task",
                    {
                        "type": task_type,
                        "label": key,
                        "inputs": {"key": key},
                        "depends_on": [self.ids[d] for d in deps],
                        "reason": "test",
                    },
                )
                assert not result.is_error, result.content
                self.ids[key] = result.data()["id"]
                await asyncio.sleep(0)
            if self.hold_seeding_until_a_task_runs:
                deadline = asyncio.get_running_loop().time() + 30
                while not self.runs and asyncio.get_running_loop().time() < deadline:
                    await asyncio.sleep(0.005)
            return AgentOutcome(model=self.default_model, turns=len(self.graph))
        task = request.task
        assert task is not None
        self.runs.append(task.id)
        self.concurrent += 1
        self.max_concurrent = max(self.max_concurrent, self.concurrent)
        if self.meet:
            if self.concurrent >= self.meet:
                self._met.set()
            try:
                await asyncio.wait_for(self._met.wait(), MEET_TIMEOUT_S)
            except TimeoutError:
                self.meet = 0  # waited once: the test fails on max_concurrent alone
        try:
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            mode = self.behaviour.get(task.type, "done")
            if mode == "flaky":
                mode = "never" if task.attempts == 1 else "done"
            await tools.call("write_marker", {})
            if mode in ("done", "skip", "fail"):
                status: Any = {"done": "done", "skip": "skipped", "fail": "failed"}[mode]
                result = await tools.call("complete_task", {"status": status, "handoff": HANDOFF})
                assert not result.is_error, result.content
            return AgentOutcome(model=self.default_model, turns=2)
        finally:
            self.concurrent -= 1
