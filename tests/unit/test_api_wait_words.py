"""A wait on the model API reads the same in --no-ui output and the UI's event log."""

from __future__ import annotations

import io

from tests.support.clock import FrozenClock
from wizard_tui.domain.events import API_RETRY
from wizard_tui.domain.models import AuditRecord
from wizard_tui.headless import HeadlessPrinter
from wizard_tui.tui.event_words import EventWords

WAIT = AuditRecord(
    ts=FrozenClock().now(),
    run_id="r",
    event=API_RETRY,
    agent_id="orchestrator",
    task_type="integrate-posthog",
    attempt=2,
    max_retries=6,
    wait_s=4.0,
    cause="529 overloaded_error: Overloaded",
)
WORDS = "orchestrator (integrate-posthog): model API retry 2 of 6 in 4.0s — 529 overloaded_error: Overloaded"


def test_no_ui_prints_the_wait() -> None:
    out = io.StringIO()
    HeadlessPrinter(out)(WAIT)
    assert out.getvalue().rstrip("\n").endswith(f"waiting     {WORDS}")


def test_the_event_log_shows_the_wait_to_everyone() -> None:
    entry = EventWords().entry(WAIT)
    assert entry is not None and not entry.internal and entry.text.endswith(WORDS)
    assert "waiting" in entry.text
