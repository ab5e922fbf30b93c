"""Every agent tool, by name: the domain's declarations, each bound to its handler here."""

from __future__ import annotations

from typing import Any

from wizard_tui.domain.toolbox import ToolResult
from wizard_tui.engine.tools.base import (
    Report,
    RunServices,
    ToolBox,
    ToolContext,
    ToolError,
    ToolSpec,
)
from wizard_tui.engine.tools.explore import EXPLORE_TOOLS
from wizard_tui.engine.tools.project import PROJECT_TOOLS
from wizard_tui.engine.tools.propose import PROPOSE_TOOLS
from wizard_tui.engine.tools.queue_tools import QUEUE_TOOLS

ALL_TOOLS: dict[str, ToolSpec[Any]] = {
    t.name: t for t in (*PROJECT_TOOLS, *EXPLORE_TOOLS, *QUEUE_TOOLS, *PROPOSE_TOOLS)
}


def build_toolbox(
    names: tuple[str, ...] | list[str], context: ToolContext, *, offered: tuple[str, ...] = ()
) -> ToolBox:
    """The tools named by a prompt's allow-list, bound to one agent; with `offered`, the model is
    shown those (the run's shared tool list) and a call outside `names` is refused."""
    shown = offered or tuple(names)
    return ToolBox([ALL_TOOLS[n] for n in shown], context, allowed=tuple(names))


__all__ = [
    "ALL_TOOLS",
    "Report",
    "RunServices",
    "ToolBox",
    "ToolContext",
    "ToolError",
    "ToolResult",
    "ToolSpec",
    "build_toolbox",
]
