"""The fake Messages API itself: it refuses what the real one refuses, and caches like it."""

from __future__ import annotations

from typing import Any

from tests.support.fakes.messages_api import request_problems
from tests.support.fakes.prompt_cache import PromptCache

CACHE = {"type": "ephemeral"}
TOOLS = [{"name": "list_files", "description": "List files.", "input_schema": {"type": "object"}}]


def body(messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"model": "claude-haiku-4-5", "max_tokens": 100, "tools": TOOLS, "messages": messages, **extra}


def user(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": list(blocks)}


def text(value: str, cached: bool = False) -> dict[str, Any]:
    return {"type": "text", "text": value, **({"cache_control": CACHE} if cached else {})}


CALL = {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "list_files", "input": {}}]}


def test_a_valid_conversation_has_no_problems() -> None:
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "{}"}
    assert request_problems(body([user(text("hi")), CALL, user(result)])) == []


def test_unanswered_tool_calls_too_many_breakpoints_and_empty_messages_are_refused() -> None:
    assert "without `tool_result`" in request_problems(body([user(text("hi")), CALL, user(text("what?"))]))[0]
    five = user(*[text(str(i), cached=True) for i in range(5)])
    assert "maximum of 4 blocks" in request_problems(body([five]))[0]
    assert "non-empty" in request_problems(body([user(), {"role": "assistant", "content": "x"}]))[0]
    assert "first message" in request_problems(body([CALL]))[0]


def test_the_cache_reads_a_written_prefix_per_model_and_respects_the_floor() -> None:
    cache = PromptCache({"claude-haiku-4-5": 10_000})
    system = [text("You are a step." * 50, cached=True)]
    first = cache.account("claude-sonnet-4-6", body([user(text("task one"))], system=system))
    second = cache.account("claude-sonnet-4-6", body([user(text("task two, longer"))], system=system))
    assert first.cache_read_input_tokens == 0 and first.cache_creation_input_tokens > 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.input_tokens == second.total - second.cache_read_input_tokens
    other_model = cache.account("claude-opus-4-5", body([user(text("task one"))], system=system))
    assert other_model.cache_read_input_tokens == 0
    floored = [cache.account("claude-haiku-4-5", body([user(text("x"))], system=system)) for _ in range(2)]
    assert all(u.cache_read_input_tokens == u.cache_creation_input_tokens == 0 for u in floored)
