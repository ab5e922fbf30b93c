"""Waiting on a Textual app under test: by its state, with a generous deadline, never by sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot

from wizard_tui.tui.app import WizardApp
from wizard_tui.tui.widgets.event_log import EventLog
from wizard_tui.tui.widgets.handoff_viewer import HandoffViewer


async def until(pilot: Pilot[object], condition: Callable[[], bool], *, what: str, seconds: float = 60.0) -> None:
    """Let the app work until `condition` holds; fail with `what` if it never does.

    The deadline is generous on purpose: a loaded 2-core machine runs these slowly, and a
    test waits on state, never on speed.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.025)
    if not condition():
        raise AssertionError(f"the app never got to: {what}")


async def settle(pilot: Pilot[object]) -> None:
    """Wait until the mirror has read the run dir and every widget shows it."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    await until(pilot, lambda: app.view.queue is not None, what="the first read of queue.json")
    await pilot.pause()
    log = app.query_one(EventLog)
    log.flush()
    # Log follows new lines only if it was at its end before the write, and a batch written
    # before its first layout can leave it short of the end: put it there, as a reader would.
    await pilot.pause()
    log.scroll_end(animate=False, immediate=True)
    await pilot.pause()
    await until(pilot, lambda: log.is_vertical_scroll_end, what="the log at its end")
    viewer = app.query_one(HandoffViewer)
    if viewer.rendering is not None:
        await viewer.rendering
    await pilot.pause()


def screen_text(app: WizardApp) -> list[str]:
    """The terminal's rows as text, the way a person reads them (Textual has no public call for it)."""
    width, height = app.size
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip)[:width] for strip in strips[:height]]


def log_rows(app: WizardApp) -> list[str]:
    """The event log's rows on screen, inside its border and before its scrollbar."""
    region = app.query_one(EventLog).scrollable_content_region
    return [row[region.x : region.right] for row in screen_text(app)[region.y : region.bottom]]


def log_read(app: WizardApp) -> list[str]:
    """The log's entries as a person reads them on screen: an indented row goes on with the row above."""
    entries: list[str] = []
    for row in log_rows(app):
        if row.startswith(" " * 9) and entries:
            entries[-1] += " " + row.strip()
        elif row.strip():
            entries.append(row.rstrip())
    return entries
