"""What a person sees at 80x24: the help fits and scrolls, labels end in an ellipsis, code and log lines wrap."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.pilot import Pilot

from tests.support.pilot import log_read, screen_text, settle, until
from tests.support.run_dirs import finished, mid_run
from wizard_tui.tui.app import WizardApp
from wizard_tui.tui.widgets.event_log import EventLog
from wizard_tui.tui.widgets.handoff_viewer import HandoffViewer
from wizard_tui.tui.widgets.help_screen import CLOSE_KEYS, HelpScreen
from wizard_tui.tui.widgets.task_tree import TaskTree

SMALL = (80, 24)


async def test_the_help_fits_scrolls_and_says_how_to_close_it(install_dir: Path) -> None:
    finished(install_dir)
    app = WizardApp(install_dir, animate=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen open")
        await pilot.pause()
        box = app.screen.query_one("#help-box", VerticalScroll)
        rows = screen_text(app)
        # The box is on screen whole: its title and its closing hint are visible rows.
        assert any("Help" in row for row in rows[:3])
        assert any(f"{CLOSE_KEYS}: close" in row for row in rows)
        assert box.region.bottom <= SMALL[1] and box.has_focus
        # Whatever does not fit is reachable by scrolling, down to the last glyph of the legend.
        await pilot.press("end")
        await until(pilot, lambda: box.scroll_y == box.max_scroll_y, what="the help scrolled to its end")
        await pilot.pause()
        assert any("interrupted" in row and "‖" in row for row in screen_text(app))
        await pilot.press("q")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen), what="the help screen closed")
        assert app.return_code is None  # q closed the help, not the app


def _with_follow_up(install_dir: Path, label: str, inputs: dict[str, object] | None = None) -> str:
    """A mid-run run dir with one more follow-up of plan-capture; returns its id."""
    run = mid_run(install_dir)
    task_id = run.enqueue("capture", label, by="t-004")
    if inputs is not None:
        run.store.tasks[task_id].inputs = inputs
    run.write()
    return task_id


async def _tree_with(pilot: Pilot[object], task_id: str) -> TaskTree:
    await settle(pilot)
    tree = pilot.app.query_one(TaskTree)
    await until(pilot, lambda: task_id in tree.nodes_by_id, what="the follow-up in the tree")
    await pilot.pause()
    return tree


async def test_tree_labels_too_long_for_the_pane_end_in_an_ellipsis(install_dir: Path) -> None:
    long_id = _with_follow_up(install_dir, "Capture: the checkout form on the account settings page")
    app = WizardApp(install_dir, animate=False)
    async with app.run_test(size=SMALL) as pilot:
        tree = await _tree_with(pilot, long_id)
        line = tree.nodes_by_id[long_id].line
        row = tree.render_line(line - int(tree.scroll_y)).text
        assert row.rstrip().endswith("…") and "Capture: the checkout" in row
        assert tree.max_scroll_x == 0  # cut, never scrolled sideways


async def test_the_log_gets_more_than_four_lines_and_hides_internals_until_asked(install_dir: Path) -> None:
    finished(install_dir)
    app = WizardApp(install_dir, animate=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        log = app.query_one(EventLog)
        assert log.scrollable_content_region.height > 4
        shown = list(log.lines)
        assert shown and not any("agent " in line for line in shown)
        await pilot.press("i")
        await until(pilot, lambda: any("agent capture: 3 turns" in line for line in log.lines), what="internals")
        assert len(log.lines) > len(shown)
        await pilot.press("i")
        await until(pilot, lambda: list(log.lines) == shown, what="internals hidden again")


async def test_the_viewer_wraps_long_json_inside_the_pane(install_dir: Path) -> None:
    inputs = {"reason": "word " * 60, "file": "app/" + "nested/" * 20 + "page.tsx"}
    long_id = _with_follow_up(install_dir, "Capture: a long input", inputs)
    app = WizardApp(install_dir, animate=False)
    async with app.run_test(size=SMALL) as pilot:
        tree = await _tree_with(pilot, long_id)
        tree.move_cursor(tree.nodes_by_id[long_id])
        tree.action_select_cursor()
        viewer = app.query_one(HandoffViewer)
        await until(pilot, lambda: "Capture: a long input" in viewer.document, what="the task in the viewer")
        if viewer.rendering is not None:
            await viewer.rendering
        await pilot.pause()
        assert viewer.max_scroll_x == 0
        fence = viewer.query_one("MarkdownFence")
        assert fence.virtual_size.width <= fence.size.width  # wrapped, nothing to the right


async def test_log_lines_too_long_for_the_pane_wrap_before_the_scrollbar(install_dir: Path) -> None:
    run = finished(install_dir)  # enough lines for the log to need its scrollbar at 80x24
    message = "the queue is " + "much " * 30 + "too deep"
    run.store.audit("guard", type="capture", guard="max-depth", message=message)
    run.close()
    app = WizardApp(install_dir, animate=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        log = app.query_one(EventLog)
        visible = log.scrollable_content_region.width
        assert visible < log.size.width  # the scrollbar takes the last column
        assert all(len(line) <= visible for line in log.lines)  # so no line runs under it
        # The whole message is on screen, on rows that go on under the message column.
        assert log_read(app)[-1].endswith(f"refused     a capture task — {message}")
