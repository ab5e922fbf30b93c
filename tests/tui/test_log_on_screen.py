"""Long event-log entries on a real screen: whole, under their message column, in their colours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from rich.style import Style
from textual.pilot import Pilot
from textual.strip import Strip

from tests.support.pilot import log_read, log_rows, settle, until
from tests.support.run_dirs import GUARD_MESSAGE, long_log_lines
from wizard_tui.tui.app import WizardApp
from wizard_tui.tui.widgets.event_log import EventLog

WAIT = "t-003 (identify): model API retry 2 of 6 in 20.0s — 529 overloaded_error: Overloaded"
FAILURE = (
    "FAILED      Initialise PostHog — reported-failed: could not find where the app starts: "
    "no wsgi.py, asgi.py or manage.py under src/backend · init t-002"
)
MESSAGE_COLUMN = len("   3.25s FAILED      ")


async def _scrolled_to(pilot: Pilot[object], app: WizardApp, word: str) -> list[str]:
    """Scrolls the log until the entry with this word is at the top; returns what is read on screen."""
    log = app.query_one(EventLog)
    first = next(i for i, line in enumerate(log.lines) if f"s {word} " in line)
    log.scroll_to(y=first, animate=False, immediate=True)
    await pilot.pause()
    return log_read(app)


@asynccontextmanager
async def _long_log(
    install_dir: Path, size: tuple[int, int]
) -> AsyncIterator[tuple[Pilot[object], WizardApp, EventLog]]:
    """The app on `long_log_lines` at this size, settled, and its event log."""
    long_log_lines(install_dir)
    app = WizardApp(install_dir, animate=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield pilot, app, app.query_one(EventLog)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_long_entries_read_whole_at_both_sizes(install_dir: Path, size: tuple[int, int]) -> None:
    async with _long_log(install_dir, size) as (pilot, app, log):
        width = log.scrollable_content_region.width
        assert log.wrapped_at == width
        # Nothing runs under the scrollbar or ends in an ellipsis: every line fits the pane.
        assert all(len(line) <= width and not line.endswith("…") for line in log.lines)
        for word, text in (
            ("waiting", WAIT),
            ("FAILED", FAILURE),
            ("refused", f"refused     a capture task — {GUARD_MESSAGE}"),
        ):
            read = await _scrolled_to(pilot, app, word)
            assert any(text in entry for entry in read), (text, log_rows(app))


async def test_at_80_columns_later_rows_hang_under_the_message_in_the_entrys_colours(install_dir: Path) -> None:
    async with _long_log(install_dir, (80, 24)) as (pilot, _app, log):
        wait = next(i for i, line in enumerate(log.lines) if "s waiting " in line)
        assert log.lines[wait].endswith("model API retry 2 of 6 in 20.0s")
        assert log.lines[wait + 1] == " " * MESSAGE_COLUMN + "— 529 overloaded_error: Overloaded"
        # The failure goes on for two more rows: its problem stays red, its reference dim.
        failed = next(i for i, line in enumerate(log.lines) if "s FAILED " in line)
        assert [line[:MESSAGE_COLUMN].strip() for line in log.lines[failed + 1 : failed + 3]] == ["", ""]
        assert log.lines[failed + 2].endswith("under src/backend · init t-002")
        log.scroll_to(y=failed, animate=False, immediate=True)
        await pilot.pause()
        middle, last = (log.render_line(failed + k - int(log.scroll_y)) for k in (1, 2))
        assert _styled(middle, "red").strip() == "where the app starts: no wsgi.py, asgi.py or manage.py"
        assert _styled(last, "red").strip() == "under src/backend"
        assert _styled(last, "dim").strip() == "· init t-002"


def _styled(strip: Strip, style: str) -> str:
    """The text of a rendered row that has this colour (`red`) or is dim (`dim`)."""
    wanted = Style.parse(style)
    return "".join(
        segment.text
        for segment in strip
        if segment.style is not None and (segment.style.dim if style == "dim" else segment.style.color == wanted.color)
    )


async def test_the_log_wraps_again_when_the_terminal_changes_size(install_dir: Path) -> None:
    async with _long_log(install_dir, (120, 40)) as (pilot, _app, log):
        wide = list(log.lines)
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: log.wrapped_at == log.scrollable_content_region.width < 80, what="wrapped at 80")
        assert len(log.lines) > len(wide)
        assert all(len(line) <= log.wrapped_at for line in log.lines)
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: list(log.lines) == wide, what="the wide lines again")
