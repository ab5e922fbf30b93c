"""Snapshots of the UI on fixed run dirs (frozen clock, sequential ids, no spinner motion).

Each test first checks what the screen must say, so a snapshot is never the only guard.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.support.clock import FrozenClock
from tests.support.pilot import log_read, settle, until
from tests.support.run_dirs import (
    START,
    ScriptedRun,
    failed_and_blocked,
    finished,
    finished_with_changes,
    long_log_lines,
    mid_run,
)
from wizard_tui.tui.app import WizardApp
from wizard_tui.tui.widgets.event_log import EventLog
from wizard_tui.tui.widgets.handoff_viewer import HandoffViewer
from wizard_tui.tui.widgets.help_screen import HelpScreen
from wizard_tui.tui.widgets.task_tree import TaskTree
from wizard_tui.tui.widgets.verdict_bar import VerdictBar


def _app(install_dir: Path, scenario: Callable[[Path], ScriptedRun]) -> WizardApp:
    scenario(install_dir)
    # "Now" is fixed a few seconds into the run, so a live run's elapsed time is always the same.
    return WizardApp(install_dir, clock=FrozenClock(START + timedelta(seconds=7)), animate=False)


def _checked(expect: Callable[[WizardApp], None]) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        assert isinstance(pilot.app, WizardApp)
        expect(pilot.app)

    return run_before


def test_mid_run(snap_compare: Any, install_dir: Path) -> None:
    def expect(app: WizardApp) -> None:
        tree = app.query_one(TaskTree)
        assert tree.status_of("t-003") == "running"
        assert "signup [form] page" in str(tree.nodes_by_id["t-007"].label)
        assert app.query_one(VerdictBar).message == ""
        assert not any("orchestrator task" in line or "0/0" in line for line in app.query_one(EventLog).lines)

    app = _app(install_dir, mid_run)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_checked(expect))


def test_finished(snap_compare: Any, install_dir: Path) -> None:
    def expect(app: WizardApp) -> None:
        assert app.query_one(VerdictBar).message.startswith("All 8 tasks done.")
        assert "longest silence" in app.query_one(VerdictBar).message
        assert app.shown_task() == "t-008"

    app = _app(install_dir, finished)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_checked(expect))


def test_failed_and_blocked(snap_compare: Any, install_dir: Path) -> None:
    def expect(app: WizardApp) -> None:
        tree = app.query_one(TaskTree)
        assert tree.status_of("t-002") == "failed"
        assert [tree.status_of(t) for t in ("t-003", "t-004", "t-005", "t-006")] == ["blocked"] * 4
        assert "failed: t-002" in app.query_one(VerdictBar).message

    app = _app(install_dir, failed_and_blocked)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_checked(expect))


def test_small_terminal(snap_compare: Any, install_dir: Path) -> None:
    def expect(app: WizardApp) -> None:
        tree = app.query_one(TaskTree)
        # Every task has a line inside the visible part of the tree, and the log more than four.
        assert tree.last_line + 1 <= tree.scrollable_content_region.height
        assert app.query_one(EventLog).scrollable_content_region.height > 4

    app = _app(install_dir, finished)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_checked(expect))


def test_long_log_lines_on_a_small_terminal(snap_compare: Any, install_dir: Path) -> None:
    async def guard_trip_at_the_top(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        log = pilot.app.query_one(EventLog)
        log.scroll_to(y=next(i for i, line in enumerate(log.lines) if "s refused " in line), animate=False)
        await until(pilot, lambda: "s refused " in log.lines[int(log.scroll_y)], what="the guard trip at the top")
        assert isinstance(pilot.app, WizardApp)
        # The guard trip, the wait and a blocked task each read whole, on rows under their message.
        read = log_read(pilot.app)
        assert read[0].endswith("a follow-up would make it 7 (the limit is 6)")
        assert read[1].endswith("model API retry 2 of 6 in 20.0s — 529 overloaded_error: Overloaded")
        assert read[2].endswith("Identify users — Initialise PostHog did not finish · identify t-003")

    app = _app(install_dir, long_log_lines)
    assert snap_compare(app, terminal_size=(80, 24), run_before=guard_trip_at_the_top)


def test_help_on_a_small_terminal(snap_compare: Any, install_dir: Path) -> None:
    async def open_help(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)

    app = _app(install_dir, finished)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_help)


def test_a_tasks_proposed_changes(snap_compare: Any, install_dir: Path) -> None:
    async def select_install(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, WizardApp)
        tree = app.query_one(TaskTree)
        tree.move_cursor(tree.nodes_by_id["t-001"])
        tree.action_select_cursor()
        viewer = app.query_one(HandoffViewer)
        await until(pilot, lambda: '+    "posthog-js"' in viewer.document, what="install's diff")
        await settle(pilot)
        viewer.scroll_to_widget(viewer.query_one("MarkdownFence"), animate=False, top=True)
        await pilot.pause()

    app = _app(install_dir, finished_with_changes)
    assert snap_compare(app, terminal_size=(120, 40), run_before=select_install)
