"""The retry policy as pure functions: retry-after parsing, backoff, and sorting failures."""

from __future__ import annotations

import email.utils
from typing import Any

import anthropic
import httpx2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard_tui.agents.retry import RetryDecision, RetryPolicy, classify, describe, retry_after_s

REQUEST = httpx2.Request("POST", "http://127.0.0.1/v1/messages")
_CLASSES: dict[int, type[anthropic.APIStatusError]] = {
    400: anthropic.BadRequestError,
    401: anthropic.AuthenticationError,
    403: anthropic.PermissionDeniedError,
    404: anthropic.NotFoundError,
    413: anthropic.ContentTooLargeError,
    429: anthropic.RateLimitError,
    529: anthropic.OverloadedError,
}


def status_error(status: int, message: str = "boom", headers: dict[str, str] | None = None) -> anthropic.APIStatusError:
    body: dict[str, Any] = {"type": "error", "error": {"type": "some_error", "message": message}}
    response = httpx2.Response(status, headers=headers or {}, json=body, request=REQUEST)
    cls = _CLASSES.get(status, anthropic.InternalServerError if status >= 500 else anthropic.APIStatusError)
    return cls(f"Error code: {status}", response=response, body=body)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # the precise one wins
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_headers(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_s(headers) == seconds


def test_retry_after_as_an_http_date() -> None:
    now = 1_800_000_000.0
    later = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after_s({"retry-after": later}, now=now) == pytest.approx(30.0)
    earlier = email.utils.formatdate(now - 30, usegmt=True)
    assert retry_after_s({"retry-after": earlier}, now=now) == 0.0


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=3.0, jitter=0.0)
    assert [policy.backoff(n, 0.0) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@given(retry=st.integers(0, 40), rand=st.floats(0.0, 1.0))
def test_jitter_only_ever_shortens_the_delay(retry: int, rand: float) -> None:
    policy = RetryPolicy()
    full = policy.backoff(retry, 0.0)
    assert full * (1 - policy.jitter) - 1e-9 <= policy.backoff(retry, rand) <= full <= policy.max_delay_s


@pytest.mark.parametrize(
    ("status", "headers", "message", "verdict"),
    [
        (429, {}, "rate limited", RetryDecision.RETRY),
        (529, {}, "Overloaded", RetryDecision.RETRY),
        (500, {}, "oops", RetryDecision.RETRY),
        (503, {}, "unavailable", RetryDecision.RETRY),
        (408, {}, "timeout", RetryDecision.RETRY),
        (500, {"x-should-retry": "false"}, "no", RetryDecision.FAIL),
        (400, {"x-should-retry": "true"}, "try again", RetryDecision.RETRY),
        (401, {"x-should-retry": "true"}, "bad key", RetryDecision.FATAL),
        (403, {}, "forbidden", RetryDecision.FATAL),
        (400, {}, "prompt is too long: 201000 tokens > 200000 maximum", RetryDecision.CONTEXT),
        (413, {}, "request too large", RetryDecision.CONTEXT),
        (400, {}, "messages: roles must alternate", RetryDecision.FAIL),
        (404, {}, "model: nope", RetryDecision.FAIL),
    ],
)
def test_classify_status_errors(status: int, headers: dict[str, str], message: str, verdict: RetryDecision) -> None:
    assert classify(status_error(status, message, headers)) is verdict


def test_connection_failures_and_timeouts_are_retried() -> None:
    assert classify(anthropic.APIConnectionError(request=REQUEST)) is RetryDecision.RETRY
    assert classify(anthropic.APITimeoutError(request=REQUEST)) is RetryDecision.RETRY
    assert classify(ValueError("not an API error")) is RetryDecision.FAIL


def test_describe_names_status_type_and_message() -> None:
    assert describe(status_error(529, "Overloaded")) == "529 some_error: Overloaded"
