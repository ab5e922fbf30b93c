"""Which credential goes on the wire, in which header, as the fake Messages API receives it."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest

from tests.support.fakes.agent_requests import orchestrator_request
from tests.support.fakes.messages_api import FakeMessagesAPI, Turn, text
from tests.support.harness import Harness
from wizard_tui.agents.anthropic_agent import AnthropicAgent
from wizard_tui.agents.base import AgentError

CREDENTIAL_VARS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_CUSTOM_HEADERS", "ANTHROPIC_PROFILE")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for var in CREDENTIAL_VARS:
        monkeypatch.delenv(var, raising=False)
    # No profile on this machine's disk may stand in for a missing credential.
    monkeypatch.setenv("ANTHROPIC_CONFIG_DIR", str(tmp_path_factory.mktemp("anthropic-config")))


@pytest.fixture
def api() -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI(lambda _r: Turn([text("Seeded.")]), valid_tokens=["tok-test"]) as server:
        yield server


async def one_request(api: FakeMessagesAPI, harness: Harness, agent: AnthropicAgent) -> dict[str, str]:
    request, _ = orchestrator_request(harness)
    try:
        await agent.run(request)
    finally:
        await agent.aclose()
    return api.requests[-1].headers


def credential_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k in ("x-api-key", "authorization")}


async def test_an_explicit_key_goes_as_x_api_key_alone(api: FakeMessagesAPI, harness: Harness) -> None:
    headers = await one_request(api, harness, AnthropicAgent(api_key="sk-ant-test", base_url=api.base_url))
    assert credential_headers(headers) == {"x-api-key": "sk-ant-test"}


@pytest.mark.parametrize(
    ("env", "sent"),
    [
        ({"ANTHROPIC_API_KEY": "sk-ant-test"}, {"x-api-key": "sk-ant-test"}),
        ({"ANTHROPIC_AUTH_TOKEN": "tok-test"}, {"authorization": "Bearer tok-test"}),
        # Both set: the SDK picks the key, and the token stays home.
        ({"ANTHROPIC_API_KEY": "sk-ant-test", "ANTHROPIC_AUTH_TOKEN": "tok-test"}, {"x-api-key": "sk-ant-test"}),
    ],
)
async def test_the_sdk_picks_the_credential_from_the_environment_and_sends_it_alone(
    env: dict[str, str], sent: dict[str, str], api: FakeMessagesAPI, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {**env, "ANTHROPIC_BASE_URL": api.base_url}.items():
        monkeypatch.setenv(name, value)
    headers = await one_request(api, harness, AnthropicAgent())
    assert credential_headers(headers) == sent


async def test_a_gateway_gets_its_extra_headers_from_the_sdks_own_variable(
    api: FakeMessagesAPI, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    monkeypatch.setenv("ANTHROPIC_CUSTOM_HEADERS", "X-Gateway-Team: wizard\nX-Gateway-Route: eu")
    headers = await one_request(api, harness, AnthropicAgent())
    assert headers["x-gateway-team"] == "wizard" and headers["x-gateway-route"] == "eu"
    assert credential_headers(headers) == {"x-api-key": "sk-ant-test"}


async def test_the_fake_refuses_a_key_sent_twice(harness: Harness) -> None:
    """The checks above would be worthless if the fake accepted both headers at once."""
    with FakeMessagesAPI(lambda _r: Turn([text("x")])) as api:
        # The old set-up: the SDK's Bearer header plus a copy of the key in x-api-key.
        doubled = anthropic.AsyncAnthropic(
            api_key="sk-ant-test", base_url=api.base_url, max_retries=0, default_headers={"x-api-key": "sk-ant-test"}
        )
        agent = AnthropicAgent(client=doubled)
        request, _ = orchestrator_request(harness)
        with pytest.raises(AgentError, match="rejected"):
            await agent.run(request)
        await agent.aclose()
    assert {"authorization", "x-api-key"} <= set(api.requests[0].headers)
