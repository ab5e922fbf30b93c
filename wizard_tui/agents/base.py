"""The one interface every agent backend implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from wizard_tui.domain.models import Task
from wizard_tui.domain.resolver import ResolvedAgent
from wizard_tui.domain.settings import AGENT_TIMEOUT_S
from wizard_tui.domain.toolbox import Toolbox


@dataclass
class Usage:
    """Token usage of one agent, summed over its turns."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0

    @classmethod
    def of(cls, api_usage: Any) -> Usage:
        """The counters of one Messages API response's `usage` (absent counters are 0)."""
        return cls(
            input_tokens=api_usage.input_tokens or 0,
            output_tokens=api_usage.output_tokens or 0,
            cache_read_input_tokens=getattr(api_usage, "cache_read_input_tokens", None) or 0,
            cache_creation_input_tokens=getattr(api_usage, "cache_creation_input_tokens", None) or 0,
        )

    def counters(self) -> dict[str, int]:
        """The four counters by name (`dataclasses.asdict` walks and copies deeply: four ints need not)."""
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
        }

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_read_input_tokens += other.cache_read_input_tokens
        self.cache_creation_input_tokens += other.cache_creation_input_tokens


@dataclass(frozen=True)
class ApiRetry:
    """A model request failed for a passing reason and is sent again after a wait."""

    attempt: int  # the retry about to be made, 1-based
    max_retries: int
    wait_s: float
    cause: str  # `529 overloaded_error: Overloaded`, a connection failure, ...


@dataclass
class AgentRequest:
    """One fresh agent: what it is told, what it may call, and its limits."""

    agent: ResolvedAgent
    tools: Toolbox
    task: Task | None = None
    timeout_s: float = AGENT_TIMEOUT_S
    on_retry: Callable[[ApiRetry], None] | None = None  # told before each wait, so the wait can be shown


@dataclass
class AgentOutcome:
    """How an agent ended. Whether a task succeeded is what it reported, not this."""

    model: str
    turns: int = 0
    usage: Usage = field(default_factory=Usage)
    stop_reason: str = "end_turn"
    error: str | None = None


class AgentError(Exception):
    """The backend could not run the agent at all (bad key, API unreachable after retries)."""

    def __init__(self, message: str, *, fatal: bool = False, outcome: AgentOutcome | None = None) -> None:
        super().__init__(message)
        self.fatal = fatal  # a fatal error (such as an invalid key) stops the whole run
        self.outcome = outcome  # the turns and tokens spent before the failure, for usage totals


class AgentBackend(Protocol):
    """Runs one agent to its end with a system prompt, a tool set and limits."""

    name: str
    default_model: str

    async def run(self, request: AgentRequest) -> AgentOutcome: ...
