"""The real app running the wizard on a copy of a sample project, driven by Pilot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message

from tests.tui.conftest import settle, until
from wizard_tui.agents.base import AgentError, AgentOutcome, AgentRequest
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain.clock import SequentialIds
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.persistence import RunPaths, read_audit, read_queue_file
from wizard_tui.engine.run import Run, RunConfig
from wizard_tui.tui.app import WizardApp
from wizard_tui.tui.messages import RunEnded, RunEventsArrived, RunStateChanged
from wizard_tui.tui.widgets.event_log import EventLog
from wizard_tui.tui.widgets.handoff_viewer import HandoffViewer
from wizard_tui.tui.widgets.help_screen import HelpScreen
from wizard_tui.tui.widgets.run_header import RunHeader
from wizard_tui.tui.widgets.task_tree import TaskTree
from wizard_tui.tui.widgets.verdict_bar import VerdictBar


class GatedAgent(OfflineAgent):
    """The offline agent, except that tasks of one type never finish until cancelled."""

    def __init__(self, gate_type: str) -> None:
        super().__init__()
        self.gate_type = gate_type

    async def run(self, request: AgentRequest) -> AgentOutcome:
        if request.task is not None and request.task.type == self.gate_type:
            await asyncio.Event().wait()
        return await super().run(request)


class BrokenKeyAgent(OfflineAgent):
    """Every agent fails the way an invalid API key does."""

    async def run(self, request: AgentRequest) -> AgentOutcome:
        raise AgentError("invalid x-api-key", fatal=True)


def _app(project: Path, backend: Any, **config: Any) -> WizardApp:
    cfg = RunConfig(install_dir=project, **config)
    return WizardApp(project, config=cfg, backend=backend, ids=SequentialIds(), animate=False)


def _collector() -> tuple[list[Message], Callable[[Message], None]]:
    """Each message once, in arrival order (the hook sees a bubbling message at every node)."""
    seen: list[Message] = []
    ids: set[int] = set()

    def hook(message: Message) -> None:
        if id(message) not in ids:
            ids.add(id(message))
            seen.append(message)

    return seen, hook


async def test_run_renders_the_queue_file_and_follows_the_newest_task(sample: Callable[[str], Path]) -> None:
    project = sample("nextjs-app-router")
    app = _app(project, OfflineAgent())
    seen, hook = _collector()
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await until(pilot, lambda: app.result is not None, what="the end of the run")
        await settle(pilot)
        queue = read_queue_file(RunPaths(project).queue)
        tree = app.query_one(TaskTree)

        assert app.result is not None and app.result.exit_code == 0
        assert {t.id: t.status.value for t in queue.tasks} == {i: t.status.value for i, t in tree.tasks.items()}
        assert all(t.status == TaskStatus.DONE for t in queue.tasks) and len(queue.tasks) >= 6
        # Each task sits under whoever enqueued it.
        for task in queue.tasks:
            parent = tree.nodes_by_id[task.id].parent
            assert parent is not None and parent.data == task.enqueued_by
        # The viewer follows the task that finished last, and the tree cursor shows it.
        newest = max(queue.tasks, key=lambda t: t.finished_at or queue.created_at)
        assert app.shown_task() == newest.id
        viewer = app.query_one(HandoffViewer)
        assert newest.label in viewer.document and "### Handoff" in viewer.document
        assert tree.cursor_node is not None and tree.cursor_node.data == newest.id
        assert "All 9 tasks done" in app.query_one(VerdictBar).message
        header = app.query_one(RunHeader).render_text(app.clock.now()).plain
        assert "9/9 done" in header and "framework nextjs" in header and "backend offline" in header

        states = [m for m in seen if isinstance(m, RunStateChanged)]
        assert states and [m.view.seq for m in states] == sorted(m.view.seq for m in states)
        events = [e for m in seen if isinstance(m, RunEventsArrived) for e in m.events]
        completed = {e.task_id for e in events if getattr(e, "event", "") == "complete"}
        assert completed == {t.id for t in queue.tasks}
        assert app.query_one(EventLog).lines_written >= len(queue.tasks) * 3
        assert next(m for m in seen if isinstance(m, RunEnded)).result is app.result

        await pilot.press("q")
    assert app.return_code == 0


async def test_selection_leaves_follow_mode_and_f_returns_to_it(sample: Callable[[str], Path]) -> None:
    project = sample("django-app")
    app = _app(project, OfflineAgent())
    seen, hook = _collector()
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await until(pilot, lambda: app.result is not None, what="the end of the run")
        await settle(pilot)
        newest = app.shown_task()
        tree = app.query_one(TaskTree)
        viewer = app.query_one(HandoffViewer)

        await pilot.press("up")
        picked = [m for m in seen if isinstance(m, TaskTree.Picked)]
        assert len(picked) == 1 and picked[0].task_id != newest
        assert not app.following and app.shown_task() == picked[0].task_id
        assert tree.tasks[picked[0].task_id].label in viewer.document
        assert viewer.border_title is not None and str(viewer.border_title).startswith("Selected")

        await pilot.press("home", "enter")
        assert app.shown_task() == "orchestrator"
        assert "## Orchestrator" in viewer.document and "All " in viewer.document

        await pilot.press("f")
        assert app.following and app.shown_task() == newest
        assert str(viewer.border_title).startswith("Following newest")
        await pilot.pause()
        assert tree.cursor_node is not None and tree.cursor_node.data == newest

        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_quit_mid_run_stops_cleanly_with_130_and_the_run_resumes(sample: Callable[[str], Path]) -> None:
    project = sample("nextjs-app-router")
    app = _app(project, GatedAgent("identify"))
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TaskTree)
        await until(
            pilot,
            lambda: any(t.type == "identify" and t.status == "running" for t in tree.tasks.values()),
            what="identify running on screen",
        )
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None, what="the app exiting")
    assert app.return_code == 130
    paths = RunPaths(project)
    queue = read_queue_file(paths.queue)
    identify = next(t for t in queue.tasks if t.type == "identify")
    assert not queue.finished
    assert identify.status == TaskStatus.RUNNING and identify.error is not None
    assert identify.error.kind == "interrupted" and identify.attempts == 0
    assert any(r.event == "interrupt" and r.task_id == identify.id for r in read_audit(paths.audit))

    resumed = await Run(RunConfig(install_dir=project, resume=True), OfflineAgent()).execute()
    assert resumed.exit_code == 0
    assert all(t.status == TaskStatus.DONE for t in read_queue_file(paths.queue).tasks)


async def test_ctrl_c_before_the_first_task_also_stops_cleanly(sample: Callable[[str], Path]) -> None:
    project = sample("express-server")
    app = _app(project, GatedAgent("install"))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: bool(app.query_one(TaskTree).tasks), what="the first task on screen")
        await pilot.press("ctrl+c")
        await until(pilot, lambda: app.return_code is not None, what="the app exiting")
    assert app.return_code == 130
    assert read_queue_file(RunPaths(project).queue).finished is False


async def test_a_backend_failure_is_shown_and_sets_the_exit_code(sample: Callable[[str], Path]) -> None:
    project = sample("no-framework")
    app = _app(project, BrokenKeyAgent())
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.result is not None, what="the end of the run")
        await pilot.pause()
        message = app.query_one(VerdictBar).message
        assert "invalid x-api-key" in message and message.endswith("Press q to quit.")
        assert app.return_code is None  # still open, showing the verdict
        await pilot.press("q")
    assert app.result is not None and app.result.exit_code != 0
    assert app.return_code == app.result.exit_code


async def test_a_crash_in_the_run_worker_is_shown_not_raised(
    sample: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(self: Run) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Run, "execute", explode)
    project = sample("no-framework")
    app = _app(project, OfflineAgent())
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.run_error is not None, what="the crash reported")
        await pilot.pause()
        assert "RuntimeError: boom" in app.query_one(VerdictBar).message
        await pilot.press("q")
    assert app.return_code == 1


async def test_a_setup_error_exits_2_with_its_sentence(sample: Callable[[str], Path]) -> None:
    project = sample("no-framework")
    first = _app(project, GatedAgent("install"))
    async with first.run_test() as pilot:
        await until(pilot, lambda: bool(first.query_one(TaskTree).tasks), what="the first run started")
        await pilot.press("q")
        await until(pilot, lambda: first.return_code is not None, what="the first run stopped")
    second = _app(project, OfflineAgent())
    async with second.run_test() as pilot:
        await until(pilot, lambda: second.return_code is not None, what="the app exiting")
    assert second.return_code == 2
    assert second.setup_error is not None and "--resume" in second.setup_error
