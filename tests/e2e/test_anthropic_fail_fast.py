"""A wrong endpoint ends the run before it starts: exit 2 and one sentence within 15 s.

Each case runs the real command in a subprocess against a server on 127.0.0.1 (or a port
that was bound and closed), so the time measured is what a person waits.
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

import pytest

from tests.support.fakes.messages_api import FakeMessagesAPI
from tests.support.fakes.skeleton_model import SkeletonModel
from tests.support.fakes.web_page import WebPage

REPO = Path(__file__).resolve().parents[2]
LIMIT_S = 15.0


@contextmanager
def closed_port() -> Iterator[str]:
    with socket.socket() as s:  # bound, then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    yield f"http://127.0.0.1:{port}"


@contextmanager
def html_page(status: int) -> Iterator[str]:
    with WebPage(status) as page:
        yield page.base_url
    assert page.paths == ["/v1/messages"], "one request, no retries"


@contextmanager
def tls_to_plain_http() -> Iterator[str]:
    with FakeMessagesAPI(SkeletonModel()) as api:  # speaks plain HTTP; https:// makes a TLS handshake fail
        yield api.base_url.replace("http://", "https://")


def wizard(project: Path, base_url: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "POSTHOG_"))}
    env.update(ANTHROPIC_API_KEY="sk-ant-test", ANTHROPIC_BASE_URL=base_url, DO_NOT_TRACK="1")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "wizard_tui", str(project), "--no-ui", "--agent", "anthropic"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,  # a hang must fail the test, not the suite
    )
    return done, time.monotonic() - started


@pytest.mark.parametrize(
    ("endpoint", "words"),
    [
        (closed_port, "Cannot reach the Anthropic API"),
        (lambda: html_page(200), "does not answer like the Anthropic Messages API (HTTP 200, text/html)"),
        (lambda: html_page(404), "does not answer like the Anthropic Messages API (HTTP 404, text/html)"),
        (tls_to_plain_http, "Cannot reach the Anthropic API"),
    ],
    ids=["closed-port", "html-200", "html-404", "tls-failure"],
)
def test_a_wrong_endpoint_is_exit_2_with_one_sentence_within_15_s(
    endpoint: Callable[[], AbstractContextManager[str]], words: str, sample: Callable[[str], Path]
) -> None:
    project = sample("django-app")
    with endpoint() as base_url:
        done, elapsed = wizard(project, base_url)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "--agent offline" in lines[0], done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert elapsed < LIMIT_S, f"took {elapsed:.1f} s"
    assert not (project / ".posthog-wizard").exists(), "a run that cannot start writes nothing"
