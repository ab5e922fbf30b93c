"""Watch mode: the app attached read-only to a run dir that another writer (the test) updates."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.message import Message

from tests.support.clock import FrozenClock
from tests.support.pilot import settle, until
from tests.support.run_dirs import finished, finished_with_changes, mid_run
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.persistence import read_queue_file
from wizard_tui.domain.writers import atomic_write_text
from wizard_tui.tui.app import WizardApp
from wizard_tui.tui.launch import watch_tui
from wizard_tui.tui.messages import RunStateChanged
from wizard_tui.tui.widgets.event_log import EventLog
from wizard_tui.tui.widgets.handoff_viewer import HandoffViewer
from wizard_tui.tui.widgets.task_tree import TaskTree
from wizard_tui.tui.widgets.verdict_bar import VerdictBar


def _statuses_on_screen(app: WizardApp) -> dict[str, str]:
    return {task_id: row.status for task_id, row in app.query_one(TaskTree).rows.items()}


def _statuses_on_disk(install_dir: Path) -> dict[str, str]:
    queue = read_queue_file(install_dir / ".posthog-wizard" / "queue.json")
    return {t.id: t.status.value for t in queue.tasks}


async def test_watch_follows_a_second_writer_to_the_end(install_dir: Path) -> None:
    run = mid_run(install_dir)
    app = WizardApp(install_dir, animate=False)
    states: list[RunStateChanged] = []

    def hook(message: Message) -> None:
        if isinstance(message, RunStateChanged) and message not in states:
            states.append(message)

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settle(pilot)
        assert _statuses_on_screen(app) == _statuses_on_disk(install_dir)
        assert app.shown_task() == "t-004"  # plan-capture finished last
        lines_before = app.query_one(EventLog).lines_written

        run.finish("t-003")  # identify, the running task, reports
        run.write()
        await until(pilot, lambda: app.query_one(TaskTree).status_of("t-003") == "done", what="identify done")
        assert app.shown_task() == "t-003"  # the viewer moved on to the newest finished task

        new_tasks = [t for t in run.store.tasks if run.store.tasks[t].status == TaskStatus.PENDING]
        for task_id in new_tasks:
            run.start(task_id)
            run.finish(task_id)
        run.store.mark_finished()
        run.write()
        await until(pilot, lambda: app.view.queue is not None and app.view.queue.finished, what="the finished run")
        await settle(pilot)
        assert _statuses_on_screen(app) == _statuses_on_disk(install_dir)
        assert set(_statuses_on_screen(app).values()) == {"done"}
        assert app.shown_task() == new_tasks[-1]
        assert app.query_one(VerdictBar).message.startswith("All 8 tasks done")
        assert app.query_one(EventLog).lines_written > lines_before
        assert len(states) >= 2
        await pilot.press("q")
    assert app.return_code == 0


async def test_an_invalid_queue_file_keeps_the_last_good_state(install_dir: Path) -> None:
    run = mid_run(install_dir)
    app = WizardApp(install_dir, animate=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        good = _statuses_on_screen(app)
        atomic_write_text(run.paths.queue, '{"version": 1, "run_id": "x", "tasks": "not a list"}')
        await until(pilot, lambda: app.view.problem is not None, what="the invalid file noticed")
        assert _statuses_on_screen(app) == good
        assert "queue.json is not valid" in (app.view.problem or "")

        run.finish("t-003")
        run.write()
        await until(pilot, lambda: app.view.problem is None, what="the valid file read again")
        assert _statuses_on_screen(app) == _statuses_on_disk(install_dir)


async def test_an_interrupted_run_says_how_to_resume(install_dir: Path) -> None:
    run = mid_run(install_dir)
    run.store.interrupt("t-003")
    run.write()
    app = WizardApp(install_dir, animate=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "--resume" in app.query_one(VerdictBar).message
        assert "‖" in str(app.query_one(TaskTree).nodes_by_id["t-003"].label)


async def test_watch_before_the_run_writes_its_queue(install_dir: Path) -> None:
    (install_dir / ".posthog-wizard").mkdir()
    app = WizardApp(install_dir, animate=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.view.queue is None
        mid_run(install_dir)
        await until(pilot, lambda: app.view.queue is not None, what="the run appearing")
        assert _statuses_on_screen(app) == _statuses_on_disk(install_dir)


def test_watch_without_a_run_dir_is_one_sentence_and_exit_2(
    install_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert watch_tui(install_dir) == 2
    err = capsys.readouterr().err
    assert "there is no run in" in err and err.count("\n") == 1


def test_watch_on_a_run_dir_that_is_a_link_is_one_sentence_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "elsewhere").mkdir()
    finished(tmp_path / "elsewhere")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".posthog-wizard").symlink_to(tmp_path / "elsewhere" / ".posthog-wizard")
    assert watch_tui(tmp_path / "app") == 2
    err = capsys.readouterr().err
    assert "is a symbolic link" in err and err.count("\n") == 1


async def test_the_viewer_shows_a_tasks_diff_and_d_the_whole_patch(install_dir: Path) -> None:
    finished_with_changes(install_dir)
    app = WizardApp(install_dir, animate=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        viewer = app.query_one(HandoffViewer)
        tree = app.query_one(TaskTree)
        tree.move_cursor(tree.nodes_by_id["t-002"])
        tree.action_select_cursor()
        await until(pilot, lambda: "### Proposed changes" in viewer.document, what="init's diff in the viewer")
        assert "+++ b/instrumentation-client.ts" in viewer.document and "```diff" in viewer.document

        await pilot.press("d")
        await until(pilot, lambda: viewer.document.startswith("## Proposed changes"), what="the whole patch")
        assert "2 file(s): `instrumentation-client.ts`, `package.json`" in viewer.document
        # The title changes once the patch is on screen.
        await until(pilot, lambda: viewer.border_title == "Whole patch", what="the whole patch's title")
        await pilot.press("d")
        # The task's page again (the whole patch holds the same diff lines, so wait for its heading).
        await until(pilot, lambda: "### Proposed changes" in viewer.document, what="back to the task")
        assert "+++ b/instrumentation-client.ts" in viewer.document
        assert not viewer.document.startswith("## Proposed changes")


async def test_a_wait_on_the_model_api_is_on_screen_while_it_lasts(install_dir: Path) -> None:
    run = mid_run(install_dir)
    run.api_wait("t-003", "identify", wait_s=20.0, cause="connection refused")
    run.write()
    clock = FrozenClock(run.clock.now())
    app = WizardApp(install_dir, animate=False, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bar = app.query_one(VerdictBar)
        await until(pilot, lambda: bar.verdict.kind == "waiting", what="the wait on screen")
        assert "retry 1 of 6 in 20.0s — connection refused (20s left)" in bar.message
        clock.advance(21)  # the wait is over: the clock's next tick clears the line
        await until(pilot, lambda: bar.message == "", what="the wait gone")


async def test_d_on_a_finished_run_without_changes_says_so(install_dir: Path) -> None:
    finished(install_dir)
    app = WizardApp(install_dir, animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        viewer = app.query_one(HandoffViewer)
        await until(pilot, lambda: "This run proposed no change" in viewer.document, what="the empty patch page")
