"""The Textual app: runs the wizard (or attaches to a run) and renders it from the run dir.

The run is an async worker with `exit_on_error=False`; the mirror is another worker that
watches the run dir. Widgets never talk to each other: this class is the only coordinator.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from wizard_tui.agents.base import AgentBackend
from wizard_tui.domain.clock import Clock, IdFactory, SystemClock
from wizard_tui.domain.models import ORCHESTRATOR, QueueFile, TaskStatus, TelemetryRecord
from wizard_tui.domain.persistence import RUN_DIR_NAME
from wizard_tui.domain.printable import printable
from wizard_tui.domain.queue import verdict
from wizard_tui.domain.settings import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from wizard_tui.engine.run import Run, RunConfig, RunResult
from wizard_tui.engine.rundir import new_run_id
from wizard_tui.telemetry.emitter import Sink
from wizard_tui.tui.handoff_markdown import run_markdown, task_markdown
from wizard_tui.tui.messages import RunEnded, RunEventsArrived, RunStateChanged
from wizard_tui.tui.mirror import RunDirReader, RunView, watch_run_dir
from wizard_tui.tui.widgets.event_log import EventLog
from wizard_tui.tui.widgets.handoff_viewer import HandoffViewer
from wizard_tui.tui.widgets.help_screen import HelpScreen
from wizard_tui.tui.widgets.run_header import RunHeader
from wizard_tui.tui.widgets.task_tree import TaskTree
from wizard_tui.tui.widgets.verdict_bar import VerdictBar

MIRROR_DEBOUNCE_MS = 60
MIRROR_STEP_MS = 15
# A periodic re-read catches a change made between the first read and the watch starting.
MIRROR_RESCAN_MS = 1_000


class WizardApp(App[int]):
    """Run mode when given a config and backend; otherwise watch mode (read-only attach)."""

    CSS_PATH = "app.tcss"
    TITLE = "wizard-tui"
    ENABLE_COMMAND_PALETTE = False
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit_wizard", "Quit"),
        Binding("ctrl+c", "quit_wizard", "Quit", show=False, priority=True),
        Binding("f", "follow", "Follow newest"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(
        self,
        install_dir: Path,
        *,
        config: RunConfig | None = None,
        backend: AgentBackend | None = None,
        sinks: list[Sink] | None = None,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        run_id: str | None = None,
        animate: bool = True,
    ) -> None:
        super().__init__()
        self.install_dir = install_dir
        self.config = config
        self.backend = backend
        self.sinks = list(sinks or [])
        self.clock: Clock = clock or SystemClock()
        self.ids = ids
        self.live_spinner = animate
        self.mode = "run" if config is not None else "watch"
        if config is not None and not config.resume:
            run_id = run_id or new_run_id(SystemClock())
        self.run_id = run_id
        # In run mode only this run's files count; an earlier run's files may still be there.
        self.reader = RunDirReader(install_dir / RUN_DIR_NAME, run_id=run_id if self.mode == "run" else None)
        self.view = RunView(None)
        self.following = True
        self.selected: str | None = None
        self.wizard_run: Run | None = None
        self.run_worker_handle: Worker[RunResult] | None = None
        self.result: RunResult | None = None
        self.run_figures: dict[str, Any] = {}  # properties of `orchestrator run finished`
        self.run_error: str | None = None
        self.stopping = False
        self.exit_code = EXIT_OK
        self.setup_error: str | None = None

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield RunHeader(str(self.install_dir), self.mode, id="header")
        with Horizontal(id="main"):
            tree = TaskTree(animate=self.live_spinner, id="tasks")
            tree.border_title = "Tasks"
            yield tree
            yield HandoffViewer(id="viewer")
        log = EventLog(id="events")
        log.border_title = "Events"
        yield log
        yield VerdictBar(id="verdict")
        yield Footer()

    def on_mount(self) -> None:
        # Held, not queried: a timer or a late message during shutdown finds them still here.
        self.header = self.query_one(RunHeader)
        self.task_tree = self.query_one(TaskTree)
        self.viewer = self.query_one(HandoffViewer)
        self.event_log = self.query_one(EventLog)
        self.verdict_bar = self.query_one(VerdictBar)
        self.task_tree.focus()
        self._render_view()
        self.mirror()
        if self.mode == "run":
            self.run_worker_handle = self.run_wizard()
        self.set_interval(1.0, self._tick)

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
        assert self.config is not None and self.backend is not None
        self.wizard_run = Run(self.config, self.backend, sinks=self.sinks, ids=self.ids, run_id=self.run_id)
        return await self.wizard_run.execute()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "mirror" and event.state == WorkerState.ERROR:
            self.notify(f"Watching the run dir failed: {worker.error}", severity="error", timeout=30)
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
        # Read the files once more now: the tree must end equal to queue.json even if the
        # watcher has not delivered the final write yet.
        self._read_now()
        self.result = message.result
        if message.result is None:
            self.exit_code = EXIT_FAILED if message.error else EXIT_INTERRUPTED
            self.run_error = message.error
            if message.error:
                self.notify(f"The run crashed: {message.error}", severity="error", timeout=30)
        else:
            self.exit_code = message.result.exit_code
            if message.result.verdict is None and self.exit_code == EXIT_USAGE:
                self.setup_error = message.result.message
                self.exit(self.exit_code, return_code=self.exit_code)
                return
        if self.stopping:
            self.exit(self.exit_code, return_code=self.exit_code)
            return
        self._update_verdict()

    # -- state -------------------------------------------------------------------------------

    @on(RunStateChanged)
    def _on_state(self, message: RunStateChanged) -> None:
        self._apply(message.view)

    @on(RunEventsArrived)
    def _on_events(self, message: RunEventsArrived) -> None:
        self.event_log.add(message.events)
        for event in message.events:
            if isinstance(event, TelemetryRecord) and event.event == "orchestrator run finished":
                self.run_figures = event.properties
                self._update_verdict()

    def _read_now(self) -> None:
        view, events = self.reader.poll()
        if view is not None:
            self._apply(view)
        if events:
            self.post_message(RunEventsArrived(events))

    def _apply(self, view: RunView) -> None:
        if view.seq <= self.view.seq:
            return  # an older picture than the one on screen (a direct read overtook it)
        self.view = view
        self._render_view()

    def _render_view(self) -> None:
        with self.batch_update():
            self.header.show(self.view.queue, self.clock.now())
            if self.view.queue is not None:
                self.task_tree.show(self.view.queue)
            self._update_viewer()
            self._update_verdict()

    def _tick(self) -> None:
        self.header.show(self.view.queue, self.clock.now())

    def newest_finished(self) -> str:
        """The task the viewer follows: the newest finished one, else the running one, else the root.

        A blocked task is marked by the executor, not finished by an agent; it is followed only
        when nothing ran, so the failure that blocked it stays in view.
        """
        queue = self.view.queue
        if queue is None:
            return ORCHESTRATOR
        best: tuple[bool, datetime, int] | None = None
        best_id = ""
        for index, task in enumerate(queue.tasks):
            if task.status.terminal and task.finished_at is not None:
                key = (task.status != TaskStatus.BLOCKED, task.finished_at, index)
                if best is None or key > best:
                    best, best_id = key, task.id
        if best_id:
            return best_id
        running = next((t.id for t in queue.tasks if t.status == TaskStatus.RUNNING), None)
        return running or ORCHESTRATOR

    def shown_task(self) -> str:
        return self.newest_finished() if self.following or self.selected is None else self.selected

    def _update_viewer(self) -> None:
        subject = self.shown_task()
        queue = self.view.queue
        viewer = self.viewer
        task = next((t for t in queue.tasks if t.id == subject), None) if queue else None
        if queue is None or task is None:
            viewer.show("orchestrator", run_markdown(queue, self.view.problem), following=self.following)
        else:
            document = task_markdown(task, queue, self.view.handoffs.get(task.id))
            viewer.show(f"{task.type} {task.id}", document, following=self.following)
        if self.following:
            # New nodes get their line numbers on the next refresh; move the cursor after it.
            self.call_after_refresh(self.task_tree.focus_task, subject)

    def _update_verdict(self) -> None:
        bar = self.verdict_bar
        if self.stopping:
            bar.show("Stopping the run: recording the running task so --resume can continue it…", "stopping")
            return
        queue = self.view.queue
        if self.run_error:
            bar.show(f"The run crashed: {self.run_error}. Press q to quit.", "failed")
        elif self.result is not None and not self.result.message.startswith(("All ", "Run did not")):
            bar.show(f"{self.result.message} Press q to quit.", "failed" if self.result.exit_code else "ok")
        elif queue is not None and queue.finished:
            outcome = verdict(queue)
            figures = _figures(self.run_figures)
            bar.show(f"{outcome.sentence()}{figures} Press q to quit.", "ok" if outcome.ok else "failed")
        elif queue is not None and self.mode == "watch" and _interrupted(queue):
            bar.show(
                f"This run was interrupted. Continue it with: wizard-tui {queue.install_dir} --resume",
                "failed",
            )
        else:
            bar.show("", "")

    # -- the person's actions ----------------------------------------------------------------

    @on(TaskTree.Picked)
    def _on_picked(self, message: TaskTree.Picked) -> None:
        self.following = False
        self.selected = message.task_id
        self._update_viewer()

    def action_follow(self) -> None:
        self.following = True
        self.selected = None
        self._update_viewer()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_quit_wizard(self) -> None:
        worker = self.run_worker_handle
        if worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            if not self.stopping:
                self.stopping = True
                self._update_verdict()
                worker.cancel()
            return
        self.exit(self.exit_code, return_code=self.exit_code)


def _interrupted(queue: QueueFile) -> bool:
    return queue.orchestrator.status == "interrupted" or any(
        t.error is not None and t.error.kind == "interrupted" for t in queue.tasks
    )


def run_tui(config: RunConfig, backend: AgentBackend, sinks: list[Sink]) -> int:
    """Run the wizard in the terminal UI; returns the run's exit code (130 when stopped by the person)."""
    app = WizardApp(config.install_dir, config=config, backend=backend, sinks=sinks)
    app.run()
    code = app.return_code if app.return_code is not None else EXIT_FAILED
    if app.setup_error:
        sys.stderr.write(f"wizard-tui: {printable(app.setup_error)}\n")
        return code
    run_dir = config.install_dir / RUN_DIR_NAME
    if code == EXIT_INTERRUPTED:
        print(printable(f"Interrupted. Continue with: wizard-tui {config.install_dir} --resume"))
    elif app.result is not None:
        print(printable(app.result.message))
    elif app.run_error:
        print(printable(f"The run crashed: {app.run_error}"))
    print(printable(f"Run dir: {run_dir}"))
    return code


def watch_tui(install_dir: Path) -> int:
    """Attach the UI read-only to `<install_dir>/.posthog-wizard`, live or finished."""
    run_dir = install_dir / RUN_DIR_NAME
    if not run_dir.is_dir():
        sys.stderr.write(
            printable(
                f"wizard-tui: there is no run in {install_dir} ({RUN_DIR_NAME} does not exist); "
                f"start one with 'wizard-tui {install_dir}'."
            )
            + "\n"
        )
        return EXIT_USAGE
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        sys.stderr.write("wizard-tui: watch needs a terminal; read the run dir's queue.json from scripts instead.\n")
        return EXIT_USAGE
    app = WizardApp(install_dir)
    app.run()
    return app.return_code if app.return_code is not None else EXIT_OK


def _figures(props: dict[str, Any]) -> str:
    """The responsiveness figures of a finished run, for the verdict bar."""
    if not props:
        return ""
    labels = {
        "time_to_first_task_ms": "first task after {} ms",
        "max_gap_ms": "longest silence {} ms",
        "dynamic_enqueue_count": "{} dynamic enqueue(s)",
        "retried_task_count": "{} retried",
    }
    parts = [label.format(props[key]) for key, label in labels.items() if props.get(key) is not None]
    return f" ({', '.join(parts)})." if parts else ""
