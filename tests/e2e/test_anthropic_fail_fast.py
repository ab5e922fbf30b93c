"""A wrong endpoint ends the run before it starts: exit 2 and one sentence, within 15 s.

Each case runs the real command in a subprocess against a server on 127.0.0.1 (or a port
that was bound and closed, or a name that cannot resolve), so what is checked is what a
person meets. The 15 s target is measured by `python -m bench failfast`; here the bound is
three times that, so a loaded machine cannot fail the test, and still well under the 47 s
the first six retries of the old behaviour waited at the least (backoff 1 s doubling, at
most 25% jitter). That the check never waits longer than 10 s on the network is
`test_the_check_before_a_run_waits_at_most_10_s` below, without a clock.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.wrong_endpoints import ENDPOINTS, Endpoint, wizard
from wizard_tui.agents.anthropic_agent import AnthropicAgent
from wizard_tui.cli import choose_backend

TARGET_S = 15.0
GENEROUS_S = 3 * TARGET_S


@pytest.mark.parametrize(("endpoint", "words"), [e[1:] for e in ENDPOINTS], ids=[e[0] for e in ENDPOINTS])
def test_a_wrong_endpoint_is_exit_2_with_one_sentence_within_15_s(
    endpoint: Endpoint, words: str, sample: Callable[[str], Path]
) -> None:
    project = sample("django-app")
    with endpoint() as base_url:  # on leaving, the endpoint checks it saw no retry
        done, elapsed = wizard(project, base_url)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "--agent offline" in lines[0], done.stderr
    assert lines[0].startswith("wizard-tui: ") and lines[0].endswith("."), lines[0]
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert elapsed < GENEROUS_S, f"took {elapsed:.1f} s"
    assert not (project / ".posthog-wizard").exists(), "a run that cannot start writes nothing"


def test_the_check_before_a_run_waits_at_most_10_s(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's backend gives up on a silent endpoint in time (the mechanism: test_anthropic_preflight)."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    chosen = choose_backend("anthropic", 0)
    assert not isinstance(chosen, str) and isinstance(chosen[0], AnthropicAgent)
    assert chosen[0].preflight_timeout_s <= TARGET_S - 5  # 5 s left for start-up on a slow machine
