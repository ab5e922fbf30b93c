"""The real backend: Claude through `AsyncAnthropic` and the Messages API tool-use loop.

Cost is kept down by prompt caching: the tool definitions and the system prompt are the
same for every task agent of a run (see `domain/shared_prompt.py`), so a breakpoint on the
system block caches that prefix across agents, and breakpoints that move with the newest
user turns let each turn of one agent read the previous turns from the cache.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
from collections.abc import Callable
from typing import Any, cast

import anthropic
from anthropic.types import Message

from wizard_tui.agents.base import AgentError, AgentOutcome, AgentRequest, Usage
from wizard_tui.agents.preflight import preflight
from wizard_tui.agents.retry import (
    OFFLINE_HINT,
    RetryDecision,
    RetryPolicy,
    Sleep,
    call_with_retries,
    classify,
    describe,
    not_the_api,
)
from wizard_tui.domain.settings import CONNECT_TIMEOUT_S, DEFAULT_MODEL, PREFLIGHT_TIMEOUT_S, REQUEST_TIMEOUT_S

log = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 4096
MAX_TOKENS_CEILING = 16384  # non-streaming requests above ~21k tokens are refused by the SDK
CACHE = {"type": "ephemeral"}
NUDGE = (
    "You ended your turn without calling `complete_task`. Call `complete_task` now, exactly "
    "once, with your status and handoff."
)


class _DocumentedAuthClient(anthropic.AsyncAnthropic):
    """`AsyncAnthropic` that sends an API key in the one header the Messages API documents.

    The SDK still owns auth: it picks the credential (argument, `ANTHROPIC_API_KEY`, then
    `ANTHROPIC_AUTH_TOKEN`, then profiles) and adds a gateway's `ANTHROPIC_CUSTOM_HEADERS`.
    Only the header an API key travels in is fixed here, through the client's `auth_headers`
    hook: anthropic 2.x sends a key as `Authorization: Bearer`, older versions as `x-api-key`,
    and gateways that read one header reject the other. So a key goes as `x-api-key` alone
    and an auth token as `Authorization: Bearer` alone, whatever the SDK version.
    """

    @property
    def auth_headers(self) -> dict[str, str]:
        if self.api_key is not None:
            return {"X-Api-Key": self.api_key}
        return super().auth_headers


class AnthropicAgent:
    """An `AgentBackend` that runs each agent as a Messages API conversation."""

    name = "anthropic"

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        default_model: str = DEFAULT_MODEL,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        nudges: int = 1,
        request_timeout_s: float = REQUEST_TIMEOUT_S,
        preflight_timeout_s: float = PREFLIGHT_TIMEOUT_S,
        client: anthropic.AsyncAnthropic | None = None,
    ) -> None:
        self.default_model = default_model
        self.request_timeout_s = request_timeout_s
        self.preflight_timeout_s = preflight_timeout_s
        self.max_tokens = max_tokens
        self.retry = retry or RetryPolicy()
        self.nudges = nudges
        self.sleep = sleep
        self.rand = rand
        self._api_key = api_key
        self._base_url = base_url
        self._client = client

    @property
    def client(self) -> anthropic.AsyncAnthropic:
        # Built on first use, inside the running event loop that will own its connections.
        if self._client is None:
            self._client = self._new_client()
        return self._client

    def _new_client(self) -> anthropic.AsyncAnthropic:
        # Without an explicit key the SDK resolves the credential and the endpoint itself
        # (ANTHROPIC_API_KEY, then ANTHROPIC_AUTH_TOKEN; ANTHROPIC_BASE_URL; ANTHROPIC_CUSTOM_HEADERS).
        return _DocumentedAuthClient(
            api_key=self._api_key,
            base_url=self._base_url,
            max_retries=0,
            timeout=anthropic.Timeout(self.request_timeout_s, connect=CONNECT_TIMEOUT_S),
        )

    def request_timeout(self, max_tokens: int) -> float:
        """A request's time limit: longer replies are allowed proportionally longer."""
        return self.request_timeout_s * max(1.0, max_tokens / DEFAULT_MAX_TOKENS)

    async def preflight(self, model: str) -> Usage:
        """One one-token request; a fatal `AgentError` with one sentence when the run cannot work.

        It has a client of its own, closed at once: the check may run in an event loop of its
        own (the UI checks before it starts), and a client's connections belong to one loop.
        """
        if self._client is not None:  # a client given by the caller is the only one there is
            return await preflight(self._client, model, self.preflight_timeout_s)
        try:
            client = self._new_client()
        except Exception as exc:  # the SDK parses ANTHROPIC_BASE_URL here, and raises its HTTP library's own error
            raise AgentError(
                f"ANTHROPIC_BASE_URL cannot be used ({type(exc).__name__}: {exc}); give a URL such as "
                f"https://api.anthropic.com, {OFFLINE_HINT}.",
                fatal=True,
            ) from exc
        async with client:
            return await preflight(client, model, self.preflight_timeout_s)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def run(self, request: AgentRequest) -> AgentOutcome:
        conversation = _Conversation(self, request)
        # Our own deadline ends the agent a little before the executor's, keeping the usage.
        budget = max(0.001, request.timeout_s - min(1.0, request.timeout_s * 0.05))
        try:
            async with asyncio.timeout(budget):
                await conversation.loop()
        except TimeoutError:
            conversation.end("timeout", f"the agent ran over its {request.timeout_s:g} s limit")
        except AgentError as exc:
            conversation.end("api_error", str(exc))
            exc.outcome = conversation.outcome
            raise
        return conversation.outcome


class _Conversation:
    """One agent's messages, turn count and usage."""

    def __init__(self, backend: AnthropicAgent, request: AgentRequest) -> None:
        self.backend = backend
        self.request = request
        self.agent = request.agent
        self.tools = request.tools
        self.outcome = AgentOutcome(model=self.agent.model)
        # Breakpoints on the shared system block and on its tail (if any): agents that started
        # before the tail existed still read the first from the cache. With the two moving
        # ones on the messages that is the API's maximum of four.
        self.system = [
            {"type": "text", "text": text, "cache_control": CACHE}
            for text in (self.agent.system, self.agent.system_tail)
            if text
        ]
        self.tool_defs = self.tools.definitions()
        self.messages: list[dict[str, Any]] = [
            {"role": "user", "content": [{"type": "text", "text": self.agent.prompt}]}
        ]
        self.max_tokens = backend.max_tokens
        self.nudges_left = backend.nudges if "complete_task" in self.tools.names else 0

    def end(self, stop_reason: str, error: str | None = None) -> None:
        self.outcome.stop_reason = stop_reason
        self.outcome.error = error

    async def loop(self) -> None:
        while True:
            if self.outcome.turns >= self.agent.max_turns:
                self.end("max_turns", f"the agent used all {self.agent.max_turns} turns without finishing")
                return
            response = await self._create()
            if response is None:
                return
            self.outcome.turns += 1
            self.outcome.model = response.model or self.outcome.model
            self.outcome.usage.add(Usage.of(response.usage))
            if not await self._handle(response):
                return

    async def _create(self) -> Message | None:
        """One model call with retries; None when the context window is full."""
        client = self.backend.client
        tools = cast(Any, self.tool_defs)
        try:
            response = await call_with_retries(
                lambda: client.messages.create(
                    model=self.agent.model,
                    max_tokens=self.max_tokens,
                    system=cast(Any, self.system),
                    tools=tools,
                    messages=cast(Any, _with_moving_breakpoint(self.messages)),
                    timeout=self.backend.request_timeout(self.max_tokens),
                ),
                self.backend.retry,
                sleep=self.backend.sleep,
                rand=self.backend.rand,
                what=f"{self.agent.agent_type} agent's request",
                on_retry=self.request.on_retry,
            )
        except anthropic.APIError as exc:
            if classify(exc) is not RetryDecision.CONTEXT:
                raise
            self.end("model_context_window_exceeded", f"the conversation outgrew the context window ({describe(exc)})")
            return None
        if not isinstance(response, Message):  # a 200 that is not JSON: the SDK hands back the text
            raise AgentError(not_the_api(str(client.base_url).rstrip("/"), 200, "not JSON"), fatal=True)
        return response

    async def _handle(self, response: Message) -> bool:
        """Act on one response; False when the agent is finished."""
        stop = response.stop_reason or "end_turn"
        content = [block.to_dict(mode="json") for block in response.content]
        calls = [b for b in content if b.get("type") == "tool_use"]
        if stop == "max_tokens":
            # A reply cut short may hold a truncated tool call: ask again with more room.
            if self.max_tokens < MAX_TOKENS_CEILING:
                self.max_tokens = min(MAX_TOKENS_CEILING, self.max_tokens * 4)
                return True
            self.end("max_tokens", f"the model's reply did not fit in {self.max_tokens} output tokens")
            return False
        if stop == "model_context_window_exceeded":
            self.end(stop, "the conversation filled the model's context window")
            return False
        if stop == "refusal":
            self.end(stop, "the model declined to continue this task (refusal)")
            return False
        if stop == "pause_turn":
            # The API paused a long turn; sending it back as-is lets the model resume.
            self.messages.append({"role": "assistant", "content": content})
            return True
        if content:
            self.messages.append({"role": "assistant", "content": content})
        if calls:
            results = await self._call_tools(calls)
            if self.tools.reported:
                self.end("reported")
                return False
            self.messages.append({"role": "user", "content": results})
            return True
        if self.nudges_left > 0 and not self.tools.reported:
            self.nudges_left -= 1
            self.messages.append({"role": "user", "content": [{"type": "text", "text": NUDGE}]})
            return True
        self.end(stop)
        return False

    async def _call_tools(self, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # The calls of one turn are independent (the model saw none of their results), so they
        # run together: a slow one (detect_framework in a thread) does not hold back an enqueue.
        # Tools that change state do so before their first await, so enqueues keep turn order.
        outcomes = await asyncio.gather(*(self.tools.call(str(c.get("name")), c.get("input")) for c in calls))
        results = []
        for call, result in zip(calls, outcomes, strict=True):
            block: dict[str, Any] = {"type": "tool_result", "tool_use_id": call["id"], "content": result.content}
            if result.is_error:
                block["is_error"] = True
            results.append(block)
        return results


def _with_moving_breakpoint(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages with `cache_control` on the last block of the two newest user turns.

    The newest writes this turn's prefix; the one before names the prefix the previous
    request wrote, so it is found however many blocks the last turn added (the API looks
    back only 20 blocks from a breakpoint). With the system block that is 3 of the 4 allowed.
    """
    out = list(messages)
    marked = 0
    for i in range(len(out) - 1, -1, -1):
        if out[i]["role"] != "user" or not out[i]["content"]:
            continue
        message = copy.copy(out[i])
        blocks = list(message["content"])
        blocks[-1] = {**blocks[-1], "cache_control": CACHE}
        message["content"] = blocks
        out[i] = message
        marked += 1
        if marked == 2:
            break
    return out
