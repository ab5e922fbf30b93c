"""One offline conversation: every tool call is a turn, paced when asked, counted in the outcome."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from wizard_tui.agents.base import AgentOutcome
from wizard_tui.domain.toolbox import Toolbox, ToolResult

# The dedup guard's refusal names the task that already does this work.
_DEDUP_REFUSAL = re.compile(r"^Refused by the dedup guard: Task (\S+) already has type ")


class Session:
    """The offline agent's side of one conversation with its tools."""

    def __init__(self, tools: Toolbox, pace_s: float, outcome: AgentOutcome) -> None:
        self.tools = tools
        self.pace_s = pace_s
        self.outcome = outcome
        self.errors: list[str] = []  # tool errors, in order, for the handoff's evidence

    def has(self, name: str) -> bool:
        return name in self.tools.names

    async def call(self, name: str, args: dict[str, Any]) -> Any:
        """The tool's JSON result, or None when the tool answered with an error."""
        result = await self.turn(name, args)
        if result.is_error:
            self.errors.append(f"{name}: {result.content}")
            return None
        return result.data()

    async def turn(self, name: str, args: dict[str, Any]) -> ToolResult:
        if self.pace_s:
            await asyncio.sleep(self.pace_s)
        self.outcome.turns += 1
        return await self.tools.call(name, args)

    async def enqueue(
        self, task_type: str, label: str, inputs: dict[str, Any], deps: list[str], reason: str
    ) -> str | None:
        result = await self.turn(
            "enqueue_task",
            {"type": task_type, "label": label, "inputs": inputs, "depends_on": deps, "reason": reason},
        )
        if not result.is_error:
            return str(result.data()["id"])
        # Re-run after --resume, the same enqueue meets the task it made the first time: depend
        # on that one, as the guard says, so the graph keeps its edges.
        existing = _DEDUP_REFUSAL.match(result.content)
        if existing is None:
            self.errors.append(f"enqueue_task: {result.content}")
        return existing.group(1) if existing else None
