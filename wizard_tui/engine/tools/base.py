"""How tools are declared, bound to one agent, and called safely.

A tool is a pydantic input model plus an async handler. The JSON schema a model sees
is generated from the input model. Whatever an agent sends, `ToolBox.call` returns a
result or an error result with a sentence telling the agent how to fix the call; no
exception reaches the executor.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from wizard_tui.domain.guards import Limits
from wizard_tui.domain.models import Handoff, Task, TaskStatus
from wizard_tui.domain.persistence import RunPaths
from wizard_tui.domain.printable import path_text
from wizard_tui.domain.prompts import PromptLibrary
from wizard_tui.domain.queue import QueueStore
from wizard_tui.domain.toolbox import ToolResult
from wizard_tui.domain.tools import TOOLS, ToolDecl
from wizard_tui.engine.proposals import ProposalStore, Viewer
from wizard_tui.engine.tools.secrets import SecretVault

log = logging.getLogger(__name__)

In = TypeVar("In", bound=BaseModel)


class ToolError(Exception):
    """An agent's mistake: the message goes back to the agent as an error tool result."""


@dataclass
class RunServices:
    """What every tool of one run shares."""

    install_dir: Path
    paths: RunPaths
    store: QueueStore
    library: PromptLibrary
    limits: Limits
    valid_models: set[str]
    started_mono: float = 0.0
    cache: dict[str, Any] = field(default_factory=dict)
    secrets: SecretVault = field(default_factory=SecretVault)
    # Set while the project's secret files are being learnt: the first tool call waits for it.
    secrets_ready: asyncio.Future[None] | None = None
    # Told when a write to the run dir fails (disk full, read-only): the run stops, resumable.
    on_disk_error: Callable[[OSError], None] | None = None
    proposals: ProposalStore = field(init=False)

    def __post_init__(self) -> None:
        # The patch leaves out what read_file hides: the same scanner judges both.
        self.proposals = ProposalStore(
            self.install_dir, self.paths, self.store.run_id, self.store.clock, self.secrets.secrets_by_line
        )

    def disk_error(self, error: OSError, what: str) -> ToolError:
        """Report a failed run-dir write and give the agent a sentence: not its fault, the run stops."""
        if self.on_disk_error is not None:
            self.on_disk_error(error)
        return ToolError(f"The wizard could not write {what} ({error.strerror or error}); the run is stopping.")

    def ms_since_start(self) -> int:
        return int((self.store.clock.monotonic() - self.started_mono) * 1000)


@dataclass
class Report:
    """What a task agent said through `complete_task`."""

    status: TaskStatus
    handoff: Handoff


@dataclass
class ToolContext:
    """One agent's binding: who is calling (orchestrator or a task id) and its report."""

    services: RunServices
    agent_id: str
    task: Task | None = None
    report: Report | None = None
    calls: int = 0


def viewer_of(ctx: ToolContext) -> Viewer | None:
    """Whose proposals an agent sees besides the committed ones: its own attempt's (tasks only)."""
    return (ctx.task.id, ctx.task.attempts) if ctx.task is not None else None


@dataclass(frozen=True)
class ToolSpec(Generic[In]):
    """A declared tool (`wizard_tui.domain.tools`) bound to the handler that runs it."""

    decl: ToolDecl
    handler: Callable[[ToolContext, In], Awaitable[dict[str, Any]]]

    @property
    def name(self) -> str:
        return self.decl.name

    @property
    def description(self) -> str:
        return self.decl.description

    @property
    def input_model(self) -> type[BaseModel]:
        return self.decl.input_model

    def input_schema(self, task_types: Sequence[str] = ()) -> dict[str, Any]:
        return self.decl.input_schema(task_types)


def bind(name: str, handler: Callable[[ToolContext, In], Awaitable[dict[str, Any]]]) -> ToolSpec[In]:
    """The tool declared as `name`, run by `handler`."""
    return ToolSpec(TOOLS[name], handler)


MAX_INPUT_CHARS = 256 * 1024
MAX_INPUT_DEPTH = 32
MAX_ECHOED_NAME = 100  # of an unknown tool name, in the error that names it


def input_problem(value: Any) -> str | None:
    """Why a tool input could not be stored and read back as JSON, or None when it can.

    Lone surrogates and NaN break the JSON files a run writes, and deep nesting breaks
    reading `queue.json` back on --resume; such input is refused before any tool sees it.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_INPUT_DEPTH:
            return f"it is nested more than {MAX_INPUT_DEPTH} levels deep; send flatter data"
        if isinstance(item, dict):
            for key, sub in item.items():
                if not isinstance(key, str):
                    return "object keys must be strings"
                stack.append((key, depth + 1))
                stack.append((sub, depth + 1))
        elif isinstance(item, list | tuple):
            stack.extend((sub, depth + 1) for sub in item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "it holds text that is not valid Unicode (a lone surrogate); send UTF-8 text"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "numbers must be finite (no NaN or Infinity)"
        elif item is not None and not isinstance(item, bool | int):
            return f"a {type(item).__name__} is not a JSON value"
    size = len(json.dumps(value))
    if size > MAX_INPUT_CHARS:
        return f"it is {size // 1024} KB, over the {MAX_INPUT_CHARS // 1024} KB a tool call may carry"
    return None


def describe_validation_error(tool: str, exc: ValidationError) -> str:
    problems = []
    for err in exc.errors()[:8]:
        loc = ".".join(str(p) for p in err["loc"]) or "input"
        problems.append(f"`{loc}`: {err['msg']}")
    return f"Invalid input for {tool}: " + "; ".join(problems) + ". Fix these fields and call again."


class ToolBox:
    """The tools one agent may use, bound to its context (the domain's `Toolbox` protocol)."""

    def __init__(
        self, specs: list[ToolSpec[Any]], context: ToolContext, *, allowed: tuple[str, ...] | None = None
    ) -> None:
        self.specs = {s.name: s for s in specs}  # what the model is shown, in this order
        self.allowed = [n for n in self.specs if allowed is None or n in allowed]  # what this agent may call
        self.context = context

    @property
    def names(self) -> list[str]:
        return list(self.allowed)

    def definitions(self) -> list[dict[str, Any]]:
        """Tool definitions in the Messages API shape (name, description, input_schema)."""
        types = self.context.services.library.task_types
        return [
            {"name": s.name, "description": s.description, "input_schema": s.input_schema(types)}
            for s in self.specs.values()
        ]

    @property
    def reported(self) -> bool:
        return self.context.report is not None

    async def call(self, name: str, raw_input: Any) -> ToolResult:
        """Call a tool for the agent; the model never sees a secret value in what comes back.

        Everything the model sends is scrubbed of secret values before any tool (or file)
        sees it, and every string of the result, or of the error, is scanned again on the way
        out, whichever tool produced it.
        """
        ready = self.context.services.secrets_ready
        if ready is not None and not ready.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(ready)
        result = await self._call(name, raw_input)
        # Non-UTF-8 file names reach us as lone surrogates, which no HTTP client can send.
        return ToolResult(path_text(result.content), result.is_error) if _has_surrogate(result.content) else result

    async def _call(self, name: str, raw_input: Any) -> ToolResult:
        self.context.calls += 1
        spec = self.specs.get(name) if name in self.allowed else None
        if spec is None:
            # The name is the model's own string, echoed back: a value it smuggled in stays hidden.
            shown = self.context.services.secrets.scrub(name[:MAX_ECHOED_NAME])
            return ToolResult(
                f"Tool {shown!r} is not available to you. Your tools: {', '.join(self.allowed)}.",
                is_error=True,
            )
        if raw_input is None:
            raw_input = {}
        if not isinstance(raw_input, dict):
            return ToolResult(f"Input for {name} must be a JSON object.", is_error=True)
        problem = input_problem(raw_input)
        if problem is not None:
            return ToolResult(f"Input for {name} was refused: {problem}.", is_error=True)
        raw_input = self.context.services.secrets.scrub_tree(raw_input)
        try:
            parsed = spec.input_model.model_validate(raw_input)
        except ValidationError as exc:
            return ToolResult(describe_validation_error(name, exc), is_error=True)
        vault = self.context.services.secrets
        try:
            result = await spec.handler(self.context, parsed)
        except ToolError as exc:
            return ToolResult(vault.redact_text(str(exc)), is_error=True)
        except Exception as exc:  # our bug, but the agent and the run must go on
            log.exception("tool %s failed", name)
            return ToolResult(f"{name} failed internally ({type(exc).__name__}); try another way.", is_error=True)
        result = vault.scrub_tree(result, redact=vault.redact_text)
        return ToolResult(json.dumps(result, ensure_ascii=False, default=str))


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
