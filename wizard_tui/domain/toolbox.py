"""What an agent backend sees of its tools: a protocol, so agents depend on the domain only.

The engine's `ToolBox` implements it; the offline agent and the Messages API loop call
tools through it without knowing how tools are declared, confined or recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class ToolResult:
    """The JSON text handed back to the agent, and whether it is an error."""

    content: str
    is_error: bool = False

    def data(self) -> Any:
        return json.loads(self.content) if not self.is_error else None


class Toolbox(Protocol):
    """The tools one agent may call, bound to that agent."""

    @property
    def names(self) -> list[str]:
        """The tools this agent may call (its definitions may show more, each refused when called)."""
        ...

    @property
    def reported(self) -> bool:
        """Whether the agent has called `complete_task`."""
        ...

    def definitions(self) -> list[dict[str, Any]]:
        """Tool definitions in the Messages API shape (name, description, input_schema), in offered order."""
        ...

    async def call(self, name: str, raw_input: Any) -> ToolResult:
        """Run one tool call; an agent's mistake comes back as an error result, never raised."""
        ...
