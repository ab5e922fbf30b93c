"""The real app running the wizard on a copy of a sample project, driven by Pilot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot

from tests.support.clock import SequentialIds
from tests.support.pilot import settle, until
from tests.support.proposing import ProposingBackend, make_project, proposing_prompts
from tests.support.run_dirs import mid_run
from wizard_tui.agents.base import AgentError, AgentOutcome, AgentRequest
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.persistence import RunPaths, read_audit, read_queue_file
from wizard_tui.domain.prompts import PromptLibrary
from wizard_tui.engine.run import Run, RunConfig
from wizard_tui.tui import app as app_module
from wizard_tui.tui.app import WizardApp
from wizard_tui.tui.launch import run_tui
from wizard_tui.tui.messages import RunEnded, RunEventsArrived, RunStateChanged
from wizard_tui.tui.run_view import Phase
from wizard_tui.tui.widgets.confirm_apply import ConfirmApply
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


def _app(project: Path, backend: Any, prompts: PromptLibrary | None = None, **config: Any) -> WizardApp:
    """The app on a prepared run, as `run_tui` starts it (the skeleton's bodies unless `prompts` are given)."""
    config.setdefault("stub", prompts is None)
    run = Run(RunConfig(install_dir=project, **config), backend, ids=SequentialIds(), prompts=prompts)
    run.prepare()
    return WizardApp(project, run=run, animate=False)


def _collector() -> tuple[list[Message], Callable[[Message], None]]:
    """Each message once, in arrival order (the hook sees a bubbling message at every node)."""
    seen: list[Message] = []
    ids: set[int] = set()

    def hook(message: Message) -> None:
        if id(message) not in ids:
            ids.add(id(message))
            seen.append(message)

    return seen, hook


def _on_screen(app: WizardApp) -> dict[str, str]:
    return {task_id: row.status for task_id, row in app.query_one(TaskTree).rows.items()}


async def _until_finished(pilot: Pilot[Any], app: WizardApp) -> None:
    """The run worker has returned, and its last write has reached the screen through the mirror."""
    await until(pilot, lambda: app.result is not None, what="the end of the run")
    await until(pilot, lambda: app.view.phase == Phase.FINISHED, what="queue.json's `finished` on screen")
    await settle(pilot)


async def test_run_renders_the_queue_file_and_follows_the_newest_task(sample: Callable[[str], Path]) -> None:
    project = sample("nextjs-app-router")
    app = _app(project, OfflineAgent())
    seen, hook = _collector()
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await _until_finished(pilot, app)
        queue = read_queue_file(RunPaths(project).queue)
        tree = app.query_one(TaskTree)

        assert app.result is not None and app.result.exit_code == 0
        assert {t.id: t.status.value for t in queue.tasks} == _on_screen(app)
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
        header = app.query_one(RunHeader).render().plain
        assert "9/9 done" in header and "framework nextjs" in header and "backend offline" in header

        # One data path: every picture came from the mirror, in the order the run wrote them,
        # and the run's end reached the screen the same way (no second read at the end).
        states = [m.view for m in seen if isinstance(m, RunStateChanged)]
        stamps = [v.queue.updated_at for v in states if v.queue is not None]
        assert stamps and stamps == sorted(stamps) and app.view is states[-1]
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
        await _until_finished(pilot, app)
        newest = app.shown_task()
        tree = app.query_one(TaskTree)
        viewer = app.query_one(HandoffViewer)

        # Each key's effect is waited for: a press returns once the key is delivered, and the
        # messages it sets off (Picked, the viewer's new page) may still be on their way.
        def picked() -> list[str]:
            return [m.task_id for m in seen if isinstance(m, TaskTree.Picked)]

        await pilot.press("up")
        await until(pilot, lambda: bool(picked()), what="the task picked with up")
        (chosen,) = picked()
        assert chosen != newest
        await until(pilot, lambda: not app.following and app.shown_task() == chosen, what="follow mode left")
        label = tree.rows[chosen].label
        await until(pilot, lambda: label in viewer.document, what="the picked task in the viewer")
        # The title changes once the picked task's page is on screen.
        await until(pilot, lambda: str(viewer.border_title).startswith("Selected"), what="the selected title")

        await pilot.press("home", "enter")
        await until(pilot, lambda: app.shown_task() == "orchestrator", what="the run's page picked")
        await until(pilot, lambda: "## Orchestrator" in viewer.document, what="the run's page in the viewer")
        assert "All " in viewer.document

        await pilot.press("f")
        await until(pilot, lambda: app.following and app.shown_task() == newest, what="follow mode back on f")
        await until(pilot, lambda: str(viewer.border_title).startswith("Following newest"), what="the follow title")
        await until(
            pilot,
            lambda: tree.cursor_node is not None and tree.cursor_node.data == newest,
            what="the tree cursor on the newest task",
        )

        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen open")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen), what="the help screen closed")


async def test_quit_mid_run_stops_cleanly_with_130_and_the_run_resumes(sample: Callable[[str], Path]) -> None:
    project = sample("nextjs-app-router")
    app = _app(project, GatedAgent("identify"))
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TaskTree)
        await until(
            pilot,
            lambda: any(r.label == "Identify users" and r.status == "running" for r in tree.rows.values()),
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

    resumed = await Run(RunConfig(install_dir=project, stub=True, resume=True), OfflineAgent()).execute()
    assert resumed.exit_code == 0
    assert all(t.status == TaskStatus.DONE for t in read_queue_file(paths.queue).tasks)


async def test_ctrl_c_before_the_first_task_also_stops_cleanly(sample: Callable[[str], Path]) -> None:
    project = sample("express-server")
    app = _app(project, GatedAgent("install"))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: bool(app.query_one(TaskTree).rows), what="the first task on screen")
        await pilot.press("ctrl+c")
        await until(pilot, lambda: app.return_code is not None, what="the app exiting")
    assert app.return_code == 130
    assert read_queue_file(RunPaths(project).queue).finished is False


class NotYetStarted(WizardApp):
    """The app in the moment between its first frame and the run's start: on_ready starts nothing."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

    def on_ready(self) -> None:
        pass


async def test_a_quit_before_the_run_starts_stops_it_at_once_and_leaves_it_resumable(
    sample: Callable[[str], Path],
) -> None:
    # The key starts the run and stops it in the same moment. A Textual worker cancelled before
    # its first step never reports its end, and the app waited for it for ever.
    project = sample("express-server")
    run = Run(RunConfig(install_dir=project, stub=True), GatedAgent("install"), ids=SequentialIds())
    run.prepare()
    app = NotYetStarted(project, run=run, animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.run_worker_handle is None
        await pilot.press("ctrl+c")
        await until(pilot, lambda: app.return_code is not None, what="the app exiting")
    assert app.return_code == 130
    queue = read_queue_file(RunPaths(project).queue)
    assert queue.finished is False
    resumed = await Run(RunConfig(install_dir=project, stub=True, resume=True), OfflineAgent()).execute()
    assert resumed.exit_code == 0


async def test_a_backend_failure_is_shown_and_sets_the_exit_code(sample: Callable[[str], Path]) -> None:
    project = sample("no-framework")
    app = _app(project, BrokenKeyAgent())
    async with app.run_test(size=(100, 30)) as pilot:
        await _until_finished(pilot, app)
        message = app.query_one(VerdictBar).message
        # The cause, read from the run dir, and what to do about it.
        assert "invalid x-api-key" in message and "--agent offline" in message
        assert message.endswith("Press q to quit.")
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
        await until(pilot, lambda: app.crash is not None, what="the crash reported")
        await pilot.pause()
        assert "RuntimeError: boom" in app.query_one(VerdictBar).message
        await pilot.press("q")
    assert app.return_code == 1


def test_a_setup_error_is_one_sentence_before_the_screen_opens(
    sample: Callable[[str], Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = sample("no-framework")
    mid_run(project)  # an unfinished run in the project's run dir

    def no_screen(self: WizardApp) -> None:
        raise AssertionError("the app must not start when the run cannot")

    monkeypatch.setattr(WizardApp, "run", no_screen)
    assert run_tui(RunConfig(install_dir=project), OfflineAgent(), []) == 2
    err = capsys.readouterr().err
    assert "--resume" in err and err.count("\n") == 1


async def test_a_asks_then_applies_the_patch_through_the_engine(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    before = (project / "package.json").read_text()
    app = _app(project, ProposingBackend(), proposing_prompts(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await _until_finished(pilot, app)
        await until(pilot, lambda: app.view.patch is not None, what="the patch read from the run dir")
        bar = app.query_one(VerdictBar)
        assert "a applies it" in bar.message and app.can_apply()

        await pilot.press("a")
        assert isinstance(app.screen, ConfirmApply)
        await pilot.press("n")  # no: the project stays as it is
        assert not isinstance(app.screen, ConfirmApply)
        assert (project / "package.json").read_text() == before

        await pilot.press("a", "y")
        await until(pilot, lambda: app.view.applied == "applied", what="apply's record read from the run dir")
        assert "posthog-js" in (project / "package.json").read_text()
        assert (project / "src" / "posthog client.ts").exists()
        await until(pilot, lambda: "undo with `wizard-tui revert" in bar.message, what="the verdict after apply")
        assert not app.can_apply()
        await pilot.press("a")  # applied already: nothing to ask
        assert not isinstance(app.screen, ConfirmApply)
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_refused_apply_says_why_and_writes_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    app = _app(project, ProposingBackend(), proposing_prompts(tmp_path))
    notices: list[str] = []
    app.notify = lambda message, **kw: notices.append(str(message))  # type: ignore[method-assign,assignment]
    async with app.run_test(size=(100, 30)) as pilot:
        await _until_finished(pilot, app)
        await until(pilot, lambda: app.can_apply(), what="the patch ready to apply")
        (project / "package.json").write_text('{"changed": "by the person"}\n')  # after the run
        await pilot.press("a", "y")
        await until(pilot, lambda: bool(notices), what="apply's answer")
        assert "package.json changed since the run; nothing was written" in notices[0]
        assert not (project / "src" / "posthog client.ts").exists()
        assert app.view.applied is None and app.can_apply()  # it can be tried again
