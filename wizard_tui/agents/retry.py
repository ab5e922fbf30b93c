"""Which Messages API failures to retry, how long to wait, and what to tell the user otherwise.

The SDK's own retry loop is switched off (`max_retries=0`) so that the backoff base, the
sleep and the jitter are injectable (tests wait for nothing) and every retry is logged.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

import anthropic

from wizard_tui.agents.base import AgentError, ApiRetry

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

OFFLINE_HINT = "or run with --agent offline"
RETRYABLE_STATUS = frozenset({408, 409, 429})
FATAL_STATUS = frozenset({401, 402, 403})
_CONTEXT_PHRASES = ("prompt is too long", "context window", "context_window", "too many tokens")


class RetryDecision(Enum):
    """What to do with one failed API call."""

    RETRY = "retry"
    FATAL = "fatal"  # no agent of this run can succeed (bad key, no billing)
    CONTEXT = "context"  # this conversation no longer fits the model's context window
    FAIL = "fail"  # this agent cannot go on; the executor may retry the task


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter; a server's `retry-after` always wins when it is sane."""

    max_retries: int = 6
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0
    max_retry_after_s: float = 300.0
    jitter: float = 0.25  # the delay is shortened by up to this share, so agents spread out

    def backoff(self, retry: int, rand: float) -> float:
        """The delay before retry number `retry` (0-based) when the server named none."""
        delay = min(self.max_delay_s, self.base_delay_s * (2.0**retry))
        return max(0.0, delay * (1.0 - self.jitter * rand))


def retry_after_s(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait: `retry-after-ms`, `retry-after` seconds or HTTP date."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(0.0, email.utils.mktime_tz(parsed) - (time.time() if now is None else now))


def is_api_json(response: Any) -> bool:
    """Whether an HTTP response carries JSON, as every answer of the Messages API does."""
    return "json" in str(response.headers.get("content-type", "")).lower()


def not_the_api(where: str, status: int, content_type: str) -> str:
    """The sentence for an endpoint that answers, but not like the Messages API (an HTML page)."""
    what = content_type.split(";")[0].strip() or "no content type"
    return (
        f"{where} does not answer like the Anthropic Messages API (HTTP {status}, {what}). "
        f"Check ANTHROPIC_BASE_URL (the API's root, without /v1), {OFFLINE_HINT}."
    )


def classify(exc: Exception) -> RetryDecision:
    """Sort a failure from `messages.create` into retry, fatal, context or fail."""
    if isinstance(exc, anthropic.APIConnectionError):  # includes timeouts
        return RetryDecision.RETRY
    if not isinstance(exc, anthropic.APIStatusError):
        return RetryDecision.FAIL
    should_retry = exc.response.headers.get("x-should-retry")
    status = exc.status_code
    if status in FATAL_STATUS:
        return RetryDecision.FATAL
    if status < 500 and not is_api_json(exc.response):
        return RetryDecision.FATAL  # a web page, not the API: the base URL is wrong for every agent
    if status in (400, 413) and _is_context_error(exc):
        return RetryDecision.CONTEXT
    if should_retry in ("true", "false"):
        return RetryDecision.RETRY if should_retry == "true" else RetryDecision.FAIL
    if status in RETRYABLE_STATUS or status >= 500:
        return RetryDecision.RETRY
    return RetryDecision.FAIL


def _is_context_error(exc: anthropic.APIStatusError) -> bool:
    if exc.status_code == 413:
        return True
    text = f"{exc.api_message or ''} {exc.error_code or ''}".lower()
    return any(phrase in text for phrase in _CONTEXT_PHRASES)


def describe(exc: Exception) -> str:
    """`529 overloaded_error: Overloaded` or the connection failure, for one sentence."""
    if isinstance(exc, anthropic.APIStatusError) and not is_api_json(exc.response):
        kind = str(exc.response.headers.get("content-type", "")).split(";")[0].strip() or "non-JSON"
        return f"{exc.status_code}: a {kind} page, not the API's JSON"
    if isinstance(exc, anthropic.APIConnectionError):
        return f"{exc.message.rstrip('.')}: {connection_cause(exc)}"
    if isinstance(exc, anthropic.APIStatusError):
        detail = exc.api_message or exc.message
        kind = f" {exc.type}" if exc.type else ""
        return f"{exc.status_code}{kind}: {detail}"
    if isinstance(exc, anthropic.APIError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def connection_cause(exc: BaseException) -> str:
    """The innermost reason of a connection failure (refused, DNS, TLS), on one short line."""
    inner: BaseException = exc
    while inner.__cause__ is not None:
        inner = inner.__cause__
    lines = str(inner).strip().splitlines()
    # The sentences it goes into put it in brackets: its own full stop would end them early.
    return (lines[0].rstrip(".") if lines else type(inner).__name__)[:200]


def fatal_sentence(exc: anthropic.APIStatusError) -> str:
    """What the user must fix when the endpoint or the API refuses the run itself."""
    if not is_api_json(exc.response):
        url = exc.request.url
        return not_the_api(
            f"{url.scheme}://{url.netloc.decode()}", exc.status_code, exc.response.headers.get("content-type", "")
        )
    if exc.status_code == 401:
        return (
            f"The Anthropic API rejected the API key ({describe(exc)}). "
            f"Check ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN), {OFFLINE_HINT}."
        )
    if exc.status_code == 402:
        return f"The Anthropic account cannot pay for requests ({describe(exc)}). Check its billing."
    return f"The Anthropic API key may not use this API ({describe(exc)}). Check the key's workspace and permissions."


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    sleep: Sleep,
    rand: Callable[[], float] = random.random,
    what: str = "request",
    on_retry: Callable[[ApiRetry], None] | None = None,
) -> T:
    """Run `call`, retrying transient API failures; raise AgentError for the rest.

    CONTEXT failures are re-raised unchanged: only the caller knows how to end that agent.
    """
    retry = 0
    while True:
        try:
            return await call()
        except anthropic.APIError as exc:
            verdict = classify(exc)
            if verdict is RetryDecision.FATAL:
                assert isinstance(exc, anthropic.APIStatusError)
                raise AgentError(fatal_sentence(exc), fatal=True) from exc
            if verdict is RetryDecision.CONTEXT:
                raise
            if verdict is RetryDecision.FAIL:
                raise AgentError(f"The Anthropic API refused the {what} ({describe(exc)}).") from exc
            if retry >= policy.max_retries:
                hint = (
                    f" Check ANTHROPIC_BASE_URL and the network, {OFFLINE_HINT}."
                    if isinstance(exc, anthropic.APIConnectionError)
                    else f" Try again later, {OFFLINE_HINT}."
                )
                raise AgentError(
                    f"The Anthropic API still failed after {retry} retries ({describe(exc)}).{hint}"
                ) from exc
            delay = _delay(exc, policy, retry, rand)
            if delay is None:
                raise AgentError(
                    f"The Anthropic API asked to wait longer than {policy.max_retry_after_s:.0f} s ({describe(exc)})."
                ) from exc
            log.warning("%s failed (%s); retry %d in %.2f s", what, describe(exc), retry + 1, delay)
            if on_retry is not None:
                on_retry(ApiRetry(retry + 1, policy.max_retries, delay, describe(exc)))
            await sleep(delay)
            retry += 1


def _delay(exc: anthropic.APIError, policy: RetryPolicy, retry: int, rand: Callable[[], float]) -> float | None:
    if isinstance(exc, anthropic.APIStatusError):
        asked = retry_after_s(exc.response.headers)
        if asked is not None:
            return asked if asked <= policy.max_retry_after_s else None
    return policy.backoff(retry, rand())
