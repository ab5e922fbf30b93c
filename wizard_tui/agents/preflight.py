"""One cheap request before a run starts, so a wrong endpoint or credential fails in seconds.

A one-token message (not `count_tokens`, which gateways often do not serve) proves in one
round trip that the endpoint is reachable, speaks the Messages API, accepts the credential
and serves the run's model. Connection, TLS and DNS failures, an answer that is not the API's
JSON (an HTML page), a rejected credential and an unknown model each become one sentence;
a busy API (429, 5xx with the API's JSON body) is not a set-up problem and lets the run start.
"""

from __future__ import annotations

import asyncio

import anthropic
from anthropic.types import Message

from wizard_tui.agents.base import AgentError, Usage
from wizard_tui.agents.retry import (
    FATAL_STATUS,
    OFFLINE_HINT,
    connection_cause,
    describe,
    fatal_sentence,
    is_api_json,
    not_the_api,
)


async def preflight(client: anthropic.AsyncAnthropic, model: str, timeout_s: float) -> Usage:
    """Send one one-token message; return its usage, or raise a fatal AgentError with one sentence."""
    where = str(client.base_url).rstrip("/")
    try:
        async with asyncio.timeout(timeout_s):
            raw = await client.messages.with_raw_response.create(
                model=model, max_tokens=1, messages=[{"role": "user", "content": "ping"}]
            )
            response = await raw.parse()
    except TimeoutError as exc:
        raise AgentError(
            f"The Anthropic API at {where} did not answer within {timeout_s:g} s. "
            f"Check ANTHROPIC_BASE_URL and the network, {OFFLINE_HINT}.",
            fatal=True,
        ) from exc
    except anthropic.APIConnectionError as exc:  # refused, DNS, TLS, and the SDK's own timeout
        raise AgentError(
            f"Cannot reach the Anthropic API at {where} ({connection_cause(exc)}). "
            f"Check ANTHROPIC_BASE_URL and the network, {OFFLINE_HINT}.",
            fatal=True,
        ) from exc
    except anthropic.APIStatusError as exc:
        problem = _refusal(exc, where, model)
        if problem is None:
            return Usage()  # busy, not broken: the run's own retries will wait for it
        raise AgentError(problem, fatal=True) from exc
    except anthropic.APIResponseValidationError as exc:
        content_type = exc.response.headers.get("content-type", "")
        raise AgentError(not_the_api(where, exc.status_code, content_type), fatal=True) from exc
    if not is_api_json(raw) or not isinstance(response, Message):
        raise AgentError(not_the_api(where, raw.status_code, raw.headers.get("content-type", "")), fatal=True)
    return Usage.of(response.usage)


def _refusal(exc: anthropic.APIStatusError, where: str, model: str) -> str | None:
    """Why this error means the run cannot work, or None when the API is only busy."""
    if not is_api_json(exc.response):
        return not_the_api(where, exc.status_code, exc.response.headers.get("content-type", ""))
    if exc.status_code in FATAL_STATUS:
        return fatal_sentence(exc)
    if exc.status_code == 429 or exc.status_code >= 500:
        return None
    if exc.status_code == 404:
        return (
            f"The Anthropic API at {where} does not serve model {model} ({describe(exc)}). Pick another with --model."
        )
    return f"The Anthropic API at {where} refused a one-token test request ({describe(exc)}); {OFFLINE_HINT}."
