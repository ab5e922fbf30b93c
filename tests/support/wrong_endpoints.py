"""Wrong model API endpoints on loopback, and the command run against one, for fail-fast checks.

Each endpoint is a context manager giving an `ANTHROPIC_BASE_URL`; on exit it checks what it
can see of the run's traffic (one connection or request: the check before a run is never
retried). Nothing leaves the machine: the DNS case uses a `.invalid` name, which the
command's own resolver refuses at once (`tests/support/no_dns.py`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from tests.support.fakes.messages_api import FakeMessagesAPI, Hang
from tests.support.fakes.web_page import WebPage

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def closed_port() -> Iterator[str]:
    with socket.socket() as s:  # bound, then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    yield f"http://127.0.0.1:{port}"


@contextmanager
def unknown_name() -> Iterator[str]:
    yield "https://api.wizard-test.invalid"


@contextmanager
def html_page(status: int) -> Iterator[str]:
    with WebPage(status) as page:
        yield page.base_url
    assert page.paths == ["/v1/messages"], "one request, no retries"


@contextmanager
def tls_to_plain_http() -> Iterator[str]:
    with WebPage() as server:  # speaks plain HTTP; https:// makes the TLS handshake fail
        yield server.base_url.replace("http://", "https://")
    assert server.connections == 1 and server.paths == [], "one handshake, no retries"


@contextmanager
def silent() -> Iterator[str]:
    """Accepts the request and never answers: the check's own time limit ends the wait (bench only)."""
    with FakeMessagesAPI(lambda _r: Hang()) as api:
        yield api.base_url
    assert len(api.requests) == 1, "one request, no retries"


Endpoint = Callable[[], AbstractContextManager[str]]

# Each case: a name, the endpoint, and words of the one sentence it must end with.
ENDPOINTS: list[tuple[str, Endpoint, str]] = [
    ("closed-port", closed_port, "Cannot reach the Anthropic API"),
    ("dns-failure", unknown_name, "Cannot reach the Anthropic API at https://api.wizard-test.invalid"),
    ("tls-failure", tls_to_plain_http, "Cannot reach the Anthropic API"),
    ("html-200", lambda: html_page(200), "does not answer like the Anthropic Messages API (HTTP 200, text/html)"),
    ("html-404", lambda: html_page(404), "does not answer like the Anthropic Messages API (HTTP 404, text/html)"),
]
SILENT: tuple[str, Endpoint, str] = ("never-answers", silent, "did not answer within 10 s")


def wizard(project: Path, base_url: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """`wizard-tui PROJECT --no-ui --agent anthropic` against `base_url`; its result and wall time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "POSTHOG_"))}
    env.update(ANTHROPIC_API_KEY="sk-ant-test", ANTHROPIC_BASE_URL=base_url, DO_NOT_TRACK="1")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.no_dns", str(project), "--no-ui", "--agent", "anthropic"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,  # a hang must fail the caller, not hang it
    )
    return done, time.monotonic() - started
