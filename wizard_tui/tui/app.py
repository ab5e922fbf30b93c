"""The Textual app: runs the wizard (or attaches to a run) and renders it from the run dir.

One data path: the mirror worker reads the run dir into `RunView` pictures, the app keeps
the newest in a reactive, and every widget renders from it through data binding. The run is
another worker (`exit_on_error=False`) whose only output the screen uses is its exit code:
what happened is read back from disk, in a run exactly as in `watch`. Widgets never talk to
each other: this class is the only coordinator.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import var
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from wizard_tui.domain.clock import Clock, SystemClock
from wizard_tui.domain.commands import Invocation
from wizard_tui.domain.models import ORCHESTRATOR
from wizard_tui.domain.persistence import RunPaths
from wizard_tui.domain.printable import printable
from wizard_tui.domain.settings import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from wizard_tui.engine.apply import ApplyError, ApplyOutcome, apply_changes
from wizard_tui.engine.run import Run, RunResult
from wizard_tui.tui.handoff_markdown import patch_markdown, run_markdown, task_markdown
from wizard_tui.tui.messages import RunEnded, RunEventsArrived, RunStateChanged
from wizard_tui.tui.mirror import RunDirReader, watch_run_dir
from wizard_tui.tui.run_view import (
    EMPTY_VIEW,
    Phase,
    RunView,
    VerdictLine,
    newest_finished,
    patched_files,
    verdict_line,
)
from wizard_tui.tui.widgets.confirm_apply import ConfirmApply
from wizard_tui.tui.widgets.event_log import EventLog
from wizard_tui.tui.widgets.handoff_viewer import HandoffViewer, ViewerPage
from wizard_tui.tui.widgets.help_screen import HelpScreen
from wizard_tui.tui.widgets.run_header import RunHeader
from wizard_tui.tui.widgets.task_tree import TaskTree
from wizard_tui.tui.widgets.verdict_bar import VerdictBar

PATCH_PAGE = "patch"
MIRROR_DEBOUNCE_MS = 60
MIRROR_STEP_MS = 15
# A periodic re-read catches a change made between the first read and the watch starting.
MIRROR_RESCAN_MS = 1_000


class WizardApp(App[int]):
    """Run mode when given a prepared `Run` (see `Run.prepare`); otherwise watch mode (read-only)."""

    CSS_PATH = "app.tcss"
    TITLE = "wizard-tui"
    ENABLE_COMMAND_PALETTE = False
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit_wizard", "Quit"),
        Binding("ctrl+c", "quit_wizard", "Quit", show=False, priority=True),
        # Short words: at 80 columns the footer holds every key only this way.
        Binding("f", "follow", "Follow"),
        Binding("i", "toggle_internals", "Internals"),
        Binding("d", "toggle_patch", "Patch"),
        Binding("a", "apply", "Apply"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    view: var[RunView] = var(EMPTY_VIEW)  # the newest picture of the run dir
    following: var[bool] = var(True)  # the viewer shows the newest finished task
    selected: var[str | None] = var(None)  # the task the person picked, when not following
    whole_patch: var[bool] = var(False)  # the viewer shows every proposed change, not one task
    stopping: var[bool] = var(False)  # the person asked to stop; the run is recording it
    crash: var[str | None] = var(None)  # the run worker raised: a bug of ours, not on disk
    now: var[datetime | None] = var(None)  # ticks while an agent waits on the model API
    run_over: var[bool] = var(False)  # the run worker returned (the run dir's lock is free again)
    applying: var[bool] = var(False)  # `apply` is writing the patch into the project
    apply_ready: var[bool] = var(False)  # computed: `a` can apply now
    verdict: var[VerdictLine] = var(VerdictLine())  # computed
    page: var[ViewerPage] = var(ViewerPage())  # computed

    def __init__(
        self,
        install_dir: Path,
        *,
        run: Run | None = None,
        clock: Clock | None = None,
        animate: bool = True,
        invocation: Invocation | None = None,
    ) -> None:
        super().__init__()
        # How the person started the wizard, so the commands it shows work in their shell.
        self.invocation = invocation or Invocation()
        self.applied_outcome: ApplyOutcome | None = None  # what `a` applied, for the words after the UI closes
        self.install_dir = install_dir
        self.wizard_run = run
        self.clock: Clock = clock or SystemClock()
        self.live_spinner = animate
        self.watching = run is None
        self.reader = RunDirReader(RunPaths(install_dir))
        self.run_worker_handle: Worker[RunResult] | None = None
        self.result: RunResult | None = None
        self.exit_code = EXIT_OK

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield RunHeader(str(self.install_dir), watching=self.watching, clock=self.clock, id="header").data_bind(
            WizardApp.view
        )
        # Held, not queried: a watcher, a timer or a late message during shutdown finds them here.
        self.task_tree = TaskTree(animate=self.live_spinner, id="tasks").data_bind(WizardApp.view)
        self.task_tree.border_title = "Tasks"
        self.event_log = EventLog(id="events")
        self.event_log.border_title = "Events"
        with Horizontal(id="main"):
            yield self.task_tree
            yield HandoffViewer(id="viewer").data_bind(WizardApp.page)
        yield self.event_log
        yield VerdictBar(id="verdict").data_bind(WizardApp.verdict)
        yield Footer()

    def on_mount(self) -> None:
        self.task_tree.focus()
        self.set_interval(1.0, self._tick)
        self.mirror()

    def on_ready(self) -> None:
        # The run starts once the first frame is on the terminal: its set-up (and the secret
        # scanner it loads in a thread) would otherwise hold the first paint back by a fifth
        # of a second (`python -m bench startup`).
        self.call_after_refresh(self._start_run)

    def _start_run(self) -> None:
        if self.wizard_run is not None and self.run_worker_handle is None:
            self.run_worker_handle = self.run_wizard()

    # -- workers -----------------------------------------------------------------------------

    @work(exclusive=True, group="mirror", exit_on_error=False)
    async def mirror(self) -> None:
        """Watch the run dir and post one state message per batch of changes."""
        async for view, events in watch_run_dir(
            self.reader, debounce_ms=MIRROR_DEBOUNCE_MS, step_ms=MIRROR_STEP_MS, rescan_ms=MIRROR_RESCAN_MS
        ):
            if view is not None:
                self.post_message(RunStateChanged(view))
            if events:
                self.post_message(RunEventsArrived(events))

    @work(exclusive=True, group="run", exit_on_error=False)
    async def run_wizard(self) -> RunResult:
        """The orchestrator and executor, end to end; a cancel stops them cleanly (exit 130)."""
        assert self.wizard_run is not None
        return await self.wizard_run.execute()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "mirror" and event.state == WorkerState.ERROR:
            self.notify(f"Watching the run dir failed: {worker.error}", severity="error", timeout=30)
            return
        if worker.group == "apply" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self._applied(worker)
            return
        if worker.group != "run":
            return
        if event.state == WorkerState.SUCCESS:
            self.post_message(RunEnded(worker.result))
        elif event.state == WorkerState.ERROR:
            error = worker.error
            self.post_message(RunEnded(None, f"{type(error).__name__}: {error}"))
        elif event.state == WorkerState.CANCELLED:
            self.post_message(RunEnded(None))

    @on(RunEnded)
    def _on_run_ended(self, message: RunEnded) -> None:
        # Only the exit code comes from here: the verdict is read from the run dir, where the
        # run's last write (queue.json `finished`) reaches the screen like every other.
        self.result = message.result
        self.run_over = True
        if message.result is not None:
            self.exit_code = message.result.exit_code
        else:
            self.exit_code = EXIT_FAILED if message.error else EXIT_INTERRUPTED
            if message.error:
                self.crash = message.error
                self.notify(f"The run crashed: {message.error}", severity="error", timeout=30)
        if self.stopping:
            self.exit(self.exit_code, return_code=self.exit_code)

    # -- state -------------------------------------------------------------------------------

    @on(RunStateChanged)
    def _on_state(self, message: RunStateChanged) -> None:
        with self.batch_update():
            self.view = message.view

    @on(RunEventsArrived)
    def _on_events(self, message: RunEventsArrived) -> None:
        self.event_log.add(message.events)

    def compute_verdict(self) -> VerdictLine:
        return verdict_line(
            self.view,
            stopping=self.stopping,
            crash=self.crash,
            resume_hint=self.resume_hint,
            now=self.now,
            can_apply=self.can_apply(),
            sub_hint=self.sub_hint,
        )

    def can_apply(self) -> bool:
        """`a` applies the patch: in the run's own window, once the run is over and its patch not applied."""
        view = self.view
        return (
            self.wizard_run is not None
            and self.run_over
            and not self.applying
            and view.phase == Phase.FINISHED
            and bool(view.patch)
            and view.applied != "applied"
        )

    def watch_view(self, view: RunView) -> None:
        if view.waits:
            self.now = self.clock.now()

    def compute_apply_ready(self) -> bool:
        return self.can_apply()

    def watch_apply_ready(self) -> None:
        # Only when it changes: refreshing the bindings rebuilds the footer, a layout pass.
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers `a` only while it can apply."""
        return self.can_apply() if action == "apply" else True

    def _tick(self) -> None:
        # The clock matters only while a wait on the model API counts down on the verdict line.
        if self.view.waits:
            self.now = self.clock.now()

    def resume_hint(self, install_dir: str) -> str:
        """The command that continues the run in `install_dir`: this run's own when there is one."""
        if self.wizard_run is not None:
            return self.wizard_run.config.command("--resume")
        return self.invocation.on(install_dir, "--resume")

    def sub_hint(self, command: str) -> str:
        """The `apply` or `revert` command for this project, as the person's shell will run it."""
        if self.wizard_run is not None:
            return self.wizard_run.config.sub(command)
        queue = self.view.queue  # the folder as the run that wrote it named it
        return self.invocation.sub(command, queue.install_dir if queue else str(self.install_dir))

    def compute_page(self) -> ViewerPage:
        view = self.view
        if self.whole_patch:
            document = patch_markdown(view.patch, view.diffs, view.queue)
            return ViewerPage(PATCH_PAGE, "Whole patch", "d: back to the tasks", document)
        queue = view.queue
        subject = self.shown_task()
        task = next((t for t in queue.tasks if t.id == subject), None) if queue else None
        heading = "Following newest" if self.following else "Selected"
        hint = "" if self.following else "f: follow newest"
        if queue is None or task is None:
            return ViewerPage(ORCHESTRATOR, f"{heading} · orchestrator", hint, run_markdown(queue, view.problem))
        document = task_markdown(task, queue, view.handoffs.get(task.id), view.diffs.get(task.id), start=view.origin)
        return ViewerPage(task.id, f"{heading} · {task.type} {task.id}", hint, document)

    def watch_page(self, page: ViewerPage) -> None:
        if self.following and not self.whole_patch:
            # New nodes get their line numbers on the next refresh; move the cursor after it.
            self.call_after_refresh(self.task_tree.focus_task, page.subject)

    def shown_task(self) -> str:
        """The task on the viewer: the newest finished one while following, else the person's pick."""
        if self.following or self.selected is None:
            return newest_finished(self.view.queue, ORCHESTRATOR)
        return self.selected

    # -- the person's actions ----------------------------------------------------------------

    @on(TaskTree.Picked)
    def _on_picked(self, message: TaskTree.Picked) -> None:
        self.selected = message.task_id
        self.following = False
        self.whole_patch = False

    def action_follow(self) -> None:
        self.following = True
        self.selected = None
        self.whole_patch = False

    def action_toggle_patch(self) -> None:
        self.whole_patch = not self.whole_patch

    def action_apply(self) -> None:
        if not self.can_apply() or self.view.patch is None:
            return
        files = patched_files(self.view.patch)

        def answered(yes: bool | None) -> None:
            if yes and self.can_apply():
                self.applying = True
                self.apply_patch()

        self.push_screen(ConfirmApply(str(self.install_dir), files, self.sub_hint("revert")), answered)

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def apply_patch(self) -> ApplyOutcome:
        """The engine's apply, all files or none; the mirror shows its record when it lands."""
        return apply_changes(self.install_dir)

    def _applied(self, worker: Worker[ApplyOutcome]) -> None:
        self.applying = False
        error = worker.error
        if error is None and worker.result is not None:
            self.applied_outcome = worker.result
            message = f"{worker.result.message} Undo it with `{self.sub_hint('revert')}`."
            self.notify(printable(message), title="Applied", timeout=20)
        elif isinstance(error, ApplyError):
            self.notify(printable(str(error)), title="Nothing was applied", severity="error", timeout=30)
        else:
            self.notify(f"Applying failed: {type(error).__name__}: {error}", severity="error", timeout=30)

    def action_toggle_internals(self) -> None:
        self.event_log.show_internals = not self.event_log.show_internals

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_quit_wizard(self) -> None:
        self._start_run()  # a key before the first frame: the run starts, to stop as any run does
        worker = self.run_worker_handle
        if worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            if not self.stopping:
                self.stopping = True
                # A worker cancelled before its first step never reports its end (Textual sets
                # its state inside that step), and the app would wait for it for ever. The
                # loop runs callbacks in order, so this cancel comes after the run's first step.
                asyncio.get_running_loop().call_soon(worker.cancel)
            return
        self.exit(self.exit_code, return_code=self.exit_code)
