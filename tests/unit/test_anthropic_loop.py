"""The anthropic backend's tool-use loop, against the fake Messages API over real HTTP."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from tests.support.fakes.agent_requests import orchestrator_request, task_request
from tests.support.fakes.messages_api import FakeMessagesAPI, RecordedRequest, Reply, Turn, text, tool_use
from tests.support.harness import Harness
from wizard_tui.agents.anthropic_agent import MAX_TOKENS_CEILING, NUDGE, AnthropicAgent

HANDOFF = {"goal": "Stub.", "did": "Wrote the marker.", "for_next_agent": "Nothing."}


@pytest.fixture
def api() -> Iterator[FakeMessagesAPI]:
    """A server whose responder each test sets with `api.responder = ...`."""
    with FakeMessagesAPI(lambda _r: Turn([text("unset")])) as server:
        yield server


@pytest.fixture
async def agent(api: FakeMessagesAPI) -> AsyncIterator[AnthropicAgent]:
    backend = AnthropicAgent(api_key="sk-ant-test", base_url=api.base_url)
    yield backend
    await backend.aclose()


def by_calls(*steps: Callable[[RecordedRequest], Reply]) -> Callable[[RecordedRequest], Reply]:
    """A responder that plays step n on the n-th request of the conversation."""

    def respond(request: RecordedRequest) -> Reply:
        turn = sum(1 for m in request.messages if m["role"] == "assistant")
        return steps[min(turn, len(steps) - 1)](request)

    return respond


def report(_r: RecordedRequest) -> Reply:
    return Turn([tool_use("complete_task", {"status": "done", "handoff": HANDOFF})])


async def test_several_tool_calls_in_one_turn_get_one_user_message_in_order(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    api.responder = by_calls(
        lambda _r: Turn(
            [
                text("Three at once."),
                tool_use("read_handoffs", {}, id="toolu_a"),
                tool_use("read_file", {"path": "nope.txt"}, id="toolu_b"),
                tool_use("list_files", {"path": "."}, id="toolu_c"),
            ]
        ),
        report,
    )
    request, context = task_request(harness, stub=False)  # the real install body reads the project
    outcome = await agent.run(request)

    assert context.report is not None and outcome.stop_reason == "reported"
    second = api.requests[1]
    assert [m["role"] for m in second.messages] == ["user", "assistant", "user"]
    results = second.last_tool_results()
    assert [r["tool_use_id"] for r in results] == ["toolu_a", "toolu_b", "toolu_c"]
    assert [bool(r.get("is_error")) for r in results] == [False, True, False]
    assert "nope.txt" in results[1]["content"]
    assert "index.js" in results[2]["content"]
    # The assistant turn is sent back exactly as the API returned it.
    assert second.messages[1]["content"][1] == {
        "type": "tool_use",
        "id": "toolu_a",
        "name": "read_handoffs",
        "input": {},
    }


async def test_invalid_tool_input_goes_back_as_an_error_and_the_model_corrects_it(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    api.responder = by_calls(
        lambda _r: Turn([tool_use("complete_task", {"status": "finished", "handoff": {"goal": ""}})]),
        report,
    )
    request, context = task_request(harness)
    outcome = await agent.run(request)

    (error,) = api.requests[1].last_tool_results()
    assert error["is_error"] is True
    assert "Invalid input for complete_task" in error["content"] and "handoff.did" in error["content"]
    assert context.report is not None and context.report.handoff.did == "Wrote the marker."
    assert outcome.turns == 2 and outcome.error is None


async def test_no_model_call_after_complete_task(api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness) -> None:
    api.responder = by_calls(lambda _r: Turn([tool_use("write_marker", {})]), report)
    request, _ = task_request(harness)
    outcome = await agent.run(request)
    assert len(api.requests) == 2 and outcome.turns == 2 and outcome.stop_reason == "reported"


async def test_a_task_agent_that_ends_without_reporting_is_nudged_once_then_let_go(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    api.responder = lambda _r: Turn([text("All done, I think.")])
    request, context = task_request(harness)
    outcome = await agent.run(request)

    assert context.report is None
    assert len(api.requests) == 2 and outcome.turns == 2 and outcome.stop_reason == "end_turn"
    assert api.requests[1].messages[-1]["content"][0]["text"] == NUDGE


async def test_the_orchestrator_ends_on_end_turn_without_a_nudge(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    api.responder = by_calls(
        lambda _r: Turn([tool_use("enqueue_task", {"type": "install", "label": "Install", "reason": "r"})]),
        lambda _r: Turn([text("Seeded.")]),
    )
    request, _ = orchestrator_request(harness)
    outcome = await agent.run(request)
    assert outcome.turns == 2 and outcome.stop_reason == "end_turn" and outcome.error is None
    assert [t.type for t in harness.store.tasks.values()] == ["install"]
    assert api.requests[0].model == "claude-sonnet-4-6"


async def test_turn_cap_stops_an_agent_that_never_finishes(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    api.responder = lambda _r: Turn([tool_use("list_files", {})])
    request, _ = task_request(harness, max_turns=3)
    outcome = await agent.run(request)
    assert len(api.requests) == 3 and outcome.turns == 3
    assert outcome.stop_reason == "max_turns" and outcome.error and "3 turns" in outcome.error


async def test_max_tokens_asks_again_with_more_room_without_keeping_the_cut_reply(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    replies = iter(
        [
            Turn([text("Let me"), tool_use("write_marker", {})], stop_reason="max_tokens"),
            Turn([tool_use("complete_task", {"status": "done", "handoff": HANDOFF})]),
        ]
    )
    api.responder = lambda _r: next(replies)
    request, context = task_request(harness)
    outcome = await agent.run(request)

    first, second = api.requests
    assert first.body["max_tokens"] == 4096 and second.body["max_tokens"] == MAX_TOKENS_CEILING
    assert len(second.messages) == 1, "the truncated reply must not be sent back"
    assert context.report is not None and outcome.turns == 2


async def test_max_tokens_at_the_ceiling_ends_the_agent(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    api.responder = lambda _r: Turn([text("...")], stop_reason="max_tokens")
    request, _ = task_request(harness)
    outcome = await agent.run(request)
    assert len(api.requests) == 2 and outcome.stop_reason == "max_tokens" and outcome.error


async def test_pause_turn_sends_the_paused_turn_back_to_resume(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    replies = iter([Turn([text("Working...")], stop_reason="pause_turn")])
    api.responder = lambda r: next(replies, None) or report(r)
    request, context = task_request(harness)
    await agent.run(request)
    second = api.requests[1]
    assert second.messages[-1] == {"role": "assistant", "content": [{"type": "text", "text": "Working..."}]}
    assert context.report is not None


@pytest.mark.parametrize(
    ("stop", "words"),
    [("refusal", "declined"), ("model_context_window_exceeded", "context window")],
)
async def test_refusal_and_full_context_end_the_agent_with_a_reason(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness, stop: str, words: str
) -> None:
    api.responder = by_calls(lambda _r: Turn([tool_use("write_marker", {})]), lambda _r: Turn([], stop_reason=stop))
    request, context = task_request(harness)
    outcome = await agent.run(request)
    assert context.report is None and outcome.stop_reason == stop
    assert outcome.error is not None and words in outcome.error
    assert outcome.turns == 2 and len(api.requests) == 2


async def test_usage_is_summed_over_turns_and_the_model_is_the_one_the_api_ran(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    usages = iter(
        [
            {
                "input_tokens": 100,
                "output_tokens": 10,
                "cache_read_input_tokens": 1000,
                "cache_creation_input_tokens": 7,
            },
            {"input_tokens": 20, "output_tokens": 5, "cache_read_input_tokens": 1100, "cache_creation_input_tokens": 0},
        ]
    )
    api.responder = by_calls(
        lambda _r: Turn([tool_use("write_marker", {})], model="claude-haiku-4-5-20251001", usage=next(usages)),
        lambda _r: Turn(
            [tool_use("complete_task", {"status": "done", "handoff": HANDOFF})],
            model="claude-haiku-4-5-20251001",
            usage=next(usages),
        ),
    )
    request, _ = task_request(harness)
    outcome = await agent.run(request)
    assert api.requests[0].model == "claude-haiku-4-5"
    assert outcome.model == "claude-haiku-4-5-20251001"
    u = outcome.usage
    assert (u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens) == (
        120,
        15,
        2100,
        7,
    )


async def test_cache_breakpoints_sit_on_the_system_prompt_and_the_newest_user_turns(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    api.responder = by_calls(
        lambda _r: Turn([tool_use("write_marker", {}), tool_use("list_files", {})]),
        lambda _r: Turn([tool_use("list_files", {})]),
        report,
    )
    request, _ = task_request(harness)
    await agent.run(request)
    first, second, third = api.requests
    assert first.breakpoints() == ["system[0]", "messages[0].content[0]"]
    assert second.breakpoints() == ["system[0]", "messages[0].content[0]", "messages[2].content[1]"]
    assert third.breakpoints() == ["system[0]", "messages[2].content[1]", "messages[4].content[0]"]
    # Each turn reads the whole previous request back from the cache.
    usages = [e.usage for e in api.exchanges]
    assert all(u is not None for u in usages)
    for before, after in itertools.pairwise(usages):
        assert after.cache_read_input_tokens == before.total  # type: ignore[union-attr]


async def test_a_turn_with_many_tool_calls_still_reads_the_previous_turn_from_cache(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    # 12 calls and 12 results are more blocks than the API looks back from one breakpoint.
    api.responder = by_calls(lambda _r: Turn([tool_use("list_files", {}) for _ in range(12)]), report)
    request, _ = task_request(harness)
    await agent.run(request)
    first, second = api.exchanges
    assert first.usage is not None and second.usage is not None
    assert second.usage.cache_read_input_tokens == first.usage.total


async def test_task_agents_of_different_types_share_the_cached_prefix(
    api: FakeMessagesAPI, agent: AnthropicAgent, harness: Harness
) -> None:
    api.responder = report
    first, _ = task_request(harness, "install")
    second, _ = task_request(harness, "identify", inputs={"note": "different inputs"})
    await agent.run(first)
    await agent.run(second)
    a, b = api.requests
    assert a.body["tools"] == b.body["tools"] and a.body["system"] == b.body["system"]
    assert a.first_user_text != b.first_user_text
    usage = api.exchanges[1].usage
    assert usage is not None and usage.cache_read_input_tokens > 0.5 * usage.total
