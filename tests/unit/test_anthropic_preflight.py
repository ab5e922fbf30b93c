"""The one-token check before a run: which answers stop the run, with which sentence."""

from __future__ import annotations

import pytest

from tests.support.fakes.messages_api import ApiError, FakeMessagesAPI, Hang, Reply, Turn, text
from wizard_tui.agents.anthropic_agent import AnthropicAgent
from wizard_tui.agents.base import AgentError, Usage


async def check(reply: Reply, **agent: float) -> tuple[Usage | AgentError, FakeMessagesAPI]:
    with FakeMessagesAPI(lambda _r: reply) as api:
        backend = AnthropicAgent(api_key="sk-ant-test", base_url=api.base_url, **agent)  # type: ignore[arg-type]
        try:
            outcome: Usage | AgentError = await backend.preflight("claude-haiku-4-5")
        except AgentError as exc:
            outcome = exc
        finally:
            await backend.aclose()
    return outcome, api


async def test_a_healthy_api_answers_one_token_and_its_usage_is_kept() -> None:
    usage, api = await check(Turn([text("p")], stop_reason="max_tokens"))
    assert isinstance(usage, Usage) and usage.input_tokens > 0
    (request,) = api.requests
    assert request.body["max_tokens"] == 1 and request.model == "claude-haiku-4-5" and "tools" not in request.body


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (ApiError(401), "rejected the API key"),
        (ApiError(403), "may not use this API"),
        (ApiError(404, message="model: claude-haiku-4-5"), "does not serve model claude-haiku-4-5"),
        (ApiError(400, message="bad request"), "refused a one-token test request"),
    ],
)
async def test_answers_that_no_run_can_get_past_stop_it_with_a_sentence(reply: Reply, words: str) -> None:
    error, api = await check(reply)
    assert isinstance(error, AgentError) and error.fatal and words in str(error)
    assert len(api.requests) == 1, "the check is never retried"


@pytest.mark.parametrize("status", [429, 529, 500])
async def test_a_busy_api_lets_the_run_start(status: int) -> None:
    usage, _ = await check(ApiError(status, headers={"retry-after": "1"}))
    assert usage == Usage()


async def test_an_endpoint_that_never_answers_is_given_up_on_time() -> None:
    error, _ = await check(Hang(), preflight_timeout_s=0.3)
    assert isinstance(error, AgentError) and error.fatal and "did not answer within 0.3 s" in str(error)


@pytest.mark.parametrize("base_url", ["http://[::1", "http://127.0.0.1:port"])
async def test_a_base_url_the_http_client_cannot_parse_is_a_sentence_not_a_traceback(base_url: str) -> None:
    backend = AnthropicAgent(api_key="sk-ant-test", base_url=base_url)
    with pytest.raises(AgentError) as refused:
        await backend.preflight("claude-haiku-4-5")
    assert refused.value.fatal and str(refused.value).startswith("ANTHROPIC_BASE_URL cannot be used (")
    assert "\n" not in str(refused.value)
