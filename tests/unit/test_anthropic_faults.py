"""API faults through the anthropic backend: retries with retry-after, fatal keys, timeouts."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.support.fakes.agent_requests import task_request
from tests.support.fakes.messages_api import ApiError, FakeMessagesAPI, Hang, RecordedRequest, Reply, Turn, tool_use
from tests.support.fakes.web_page import WebPage
from tests.support.harness import Harness
from wizard_tui.agents.anthropic_agent import AnthropicAgent
from wizard_tui.agents.base import AgentError
from wizard_tui.agents.retry import RetryPolicy

HANDOFF = {"goal": "Stub.", "did": "Wrote the marker.", "for_next_agent": "Nothing."}
USAGE = {"input_tokens": 50, "output_tokens": 5, "cache_read_input_tokens": 900, "cache_creation_input_tokens": 0}


def marker_then_report(request: RecordedRequest) -> Reply:
    if not request.tool_calls():
        return Turn([tool_use("write_marker", {})], usage=USAGE)
    return Turn([tool_use("complete_task", {"status": "done", "handoff": HANDOFF})], usage=USAGE)


@pytest.fixture
def api() -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI(marker_then_report) as server:
        yield server


class Sleeps:
    """Records the backoff delays instead of waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def backend(base_url: str, sleeps: Sleeps, **policy: float) -> AnthropicAgent:
    retry = RetryPolicy(**{"base_delay_s": 0.25, **policy})  # type: ignore[arg-type]
    return AnthropicAgent(api_key="sk-ant-test", base_url=base_url, retry=retry, sleep=sleeps, rand=lambda: 0.0)


async def test_429_529_and_500_are_retried_honouring_retry_after(api: FakeMessagesAPI, harness: Harness) -> None:
    api.fail_next(
        ApiError(429, headers={"retry-after": "3"}),
        ApiError(529, headers={"retry-after-ms": "1500"}),
        ApiError(500),  # no header: exponential backoff from the base, 0.25 * 2**2
    )
    sleeps = Sleeps()
    agent = backend(api.base_url, sleeps)
    request, context = task_request(harness)
    outcome = await agent.run(request)
    await agent.aclose()

    assert sleeps.delays == [3.0, 1.5, 1.0]
    assert [type(e.reply).__name__ for e in api.exchanges] == ["ApiError"] * 3 + ["Turn"] * 2
    assert context.report is not None and outcome.error is None
    assert outcome.turns == 2 and outcome.usage.input_tokens == 100, "failed attempts are not turns"
    # A retry sends the very same request again.
    assert api.requests[0].body == api.requests[3].body


async def test_retries_run_out_with_a_sentence_and_the_usage_so_far(api: FakeMessagesAPI, harness: Harness) -> None:
    sleeps = Sleeps()
    agent = backend(api.base_url, sleeps, max_retries=2)
    request, _ = task_request(harness)
    api.responder = lambda r: (
        marker_then_report(r) if not r.tool_calls() else ApiError(529, headers={"retry-after": "0"})
    )
    with pytest.raises(AgentError) as caught:
        await agent.run(request)
    await agent.aclose()

    assert not caught.value.fatal
    assert "still failed after 2 retries" in str(caught.value) and "529 overloaded_error" in str(caught.value)
    assert str(caught.value).endswith("Try again later, or run with --agent offline.")
    assert sleeps.delays == [0.0, 0.0]
    spent = caught.value.outcome
    assert spent is not None and spent.turns == 1 and spent.usage.input_tokens == 50
    assert spent.stop_reason == "api_error"


@pytest.mark.parametrize(
    ("status", "words"),
    [(401, "rejected the API key"), (403, "may not use this API"), (402, "cannot pay")],
)
async def test_credential_errors_are_fatal_and_never_retried(
    api: FakeMessagesAPI, harness: Harness, status: int, words: str
) -> None:
    api.fail_next(ApiError(status))
    sleeps = Sleeps()
    agent = backend(api.base_url, sleeps)
    request, _ = task_request(harness)
    with pytest.raises(AgentError) as caught:
        await agent.run(request)
    await agent.aclose()
    assert caught.value.fatal and words in str(caught.value)
    assert len(api.requests) == 1 and sleeps.delays == []


async def test_a_wrong_key_is_what_the_server_checks(harness: Harness) -> None:
    with FakeMessagesAPI(marker_then_report) as api:
        agent = AnthropicAgent(api_key="sk-ant-wrong", base_url=api.base_url)
        request, _ = task_request(harness)
        with pytest.raises(AgentError) as caught:
            await agent.run(request)
        await agent.aclose()
    assert caught.value.fatal and "ANTHROPIC_API_KEY" in str(caught.value)


@pytest.mark.parametrize(
    "error",
    [
        ApiError(404, message="model: claude-nope"),
        ApiError(400, message="tools.0.name: invalid"),
        ApiError(500, headers={"x-should-retry": "false"}),
    ],
)
async def test_requests_the_api_will_never_accept_fail_the_agent_without_retry(
    api: FakeMessagesAPI, harness: Harness, error: ApiError
) -> None:
    api.fail_next(error)
    sleeps = Sleeps()
    agent = backend(api.base_url, sleeps)
    request, _ = task_request(harness)
    with pytest.raises(AgentError) as caught:
        await agent.run(request)
    await agent.aclose()
    assert not caught.value.fatal and str(error.status) in str(caught.value)
    assert len(api.requests) == 1 and sleeps.delays == []


async def test_a_server_asking_for_a_very_long_wait_is_not_obeyed_blindly(
    api: FakeMessagesAPI, harness: Harness
) -> None:
    api.fail_next(ApiError(429, headers={"retry-after": "3600"}))
    sleeps = Sleeps()
    agent = backend(api.base_url, sleeps)
    request, _ = task_request(harness)
    with pytest.raises(AgentError, match="longer than 300 s"):
        await agent.run(request)
    await agent.aclose()
    assert sleeps.delays == []


async def test_prompt_too_long_ends_the_agent_as_context_exceeded(api: FakeMessagesAPI, harness: Harness) -> None:
    api.responder = lambda r: (
        marker_then_report(r)
        if not r.tool_calls()
        else ApiError(400, message="prompt is too long: 210000 tokens > 200000 maximum")
    )
    agent = backend(api.base_url, Sleeps())
    request, _ = task_request(harness)
    outcome = await agent.run(request)
    await agent.aclose()
    assert outcome.stop_reason == "model_context_window_exceeded" and outcome.error
    assert outcome.turns == 1 and outcome.usage.input_tokens == 50


async def test_an_unreachable_api_is_retried_then_reported(harness: Harness) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps = Sleeps()
    agent = backend(f"http://127.0.0.1:{port}", sleeps, max_retries=3)
    request, _ = task_request(harness)
    with pytest.raises(AgentError, match="still failed after 3 retries") as caught:
        await agent.run(request)
    await agent.aclose()
    assert not caught.value.fatal and sleeps.delays == [0.25, 0.5, 1.0]


async def test_wall_clock_timeout_ends_the_agent_and_keeps_its_usage(api: FakeMessagesAPI, harness: Harness) -> None:
    api.responder = lambda r: marker_then_report(r) if not r.tool_calls() else Hang()
    agent = backend(api.base_url, Sleeps())
    # The first request must be answered within the limit, so it is wide enough for a loaded
    # machine; the second hangs, so the limit is what ends the agent however long it is.
    request, context = task_request(harness, timeout_s=5.0)
    outcome = await agent.run(request)
    await agent.aclose()
    assert outcome.stop_reason == "timeout" and outcome.error and context.report is None
    assert outcome.turns == 1 and outcome.usage.input_tokens == 50


async def test_a_stuck_request_times_out_and_is_retried_within_the_agents_budget(
    api: FakeMessagesAPI, harness: Harness
) -> None:
    hung = False

    def hang_once(request: RecordedRequest) -> Reply:
        nonlocal hung
        if request.tool_calls() and not hung:
            hung = True
            return Hang()
        return marker_then_report(request)

    api.responder = hang_once
    sleeps = Sleeps()
    agent = AnthropicAgent(
        api_key="sk-ant-test", base_url=api.base_url, sleep=sleeps, rand=lambda: 0.0, request_timeout_s=3.0
    )  # wide enough for every answered request on a loaded machine: only the hung one may time out
    request, context = task_request(harness, timeout_s=300.0)
    outcome = await agent.run(request)
    await agent.aclose()
    assert context.report is not None and outcome.error is None, "the agent went on after the stuck request"
    assert len(sleeps.delays) == 1 and len(api.requests) == 3


@pytest.mark.parametrize("status", [200, 404])
async def test_an_endpoint_answering_html_stops_the_run(status: int, harness: Harness) -> None:
    with WebPage(status) as page:
        agent = backend(page.base_url, Sleeps())
        request, _ = task_request(harness)
        with pytest.raises(AgentError, match="does not answer like the Anthropic Messages API") as caught:
            await agent.run(request)
        await agent.aclose()
    assert caught.value.fatal and page.paths == ["/v1/messages"]
