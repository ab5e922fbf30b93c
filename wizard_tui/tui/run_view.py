"""What the UI knows of a run, and where the run is in its life: modelled once, here.

A `RunView` is one consistent picture read from the run dir by the mirror (the UI's only
input, in a run and in `watch`). Everything the widgets show about the run's lifecycle
(waiting, running, interrupted, finished; a task shown as retrying or interrupted; the
verdict) is a pure function of it. No Textual here, so it is tested without an app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from wizard_tui.domain.commands import Invocation
from wizard_tui.domain.models import HandoffFile, QueueFile, Task, TaskStatus
from wizard_tui.domain.spend import format_usd
from wizard_tui.domain.verdict import verdict


class Phase(StrEnum):
    """Where a run is in its life, as its files tell it."""

    WAITING = "waiting"  # the run dir has no valid queue.json yet
    RUNNING = "running"
    INTERRUPTED = "interrupted"  # stopped by Ctrl-C or SIGTERM; `--resume` continues it
    FINISHED = "finished"  # queue.json says so: every task ended, or the run gave up


def display_status(task: Task) -> str:
    """The status a person sees: a requeued task is a retry, a stopped run's running task is interrupted."""
    if task.error is not None and task.error.kind == "interrupted" and task.status == TaskStatus.RUNNING:
        return "interrupted"
    if task.status == TaskStatus.PENDING and task.error is not None:
        return "retry"
    return task.status.value


@dataclass(frozen=True, eq=False)
class RunView:
    """One picture of a run. Compared by identity: the mirror makes a new one only when something changed."""

    queue: QueueFile | None = None
    handoffs: Mapping[str, HandoffFile] = field(default_factory=dict)
    problem: str | None = None  # why the newest queue.json could not be read, when it could not
    run_error: str | None = None  # the failure that ended the run (the audit's `run-error`)
    stopped: bool = False  # the audit's last lifecycle word is `interrupted`, with no `resume` after it
    figures: Mapping[str, Any] = field(default_factory=dict)  # the run's `run-finish` fact
    diffs: Mapping[str, str] = field(default_factory=dict)  # task id -> what it proposed (`diffs/`)
    patch: str | None = None  # `changes.patch`: every proposed change, once the run finished

    @cached_property
    def phase(self) -> Phase:
        queue = self.queue
        if queue is None:
            return Phase.WAITING
        if queue.finished:
            return Phase.FINISHED
        if (
            self.stopped
            or queue.orchestrator.status == "interrupted"
            or any(display_status(t) == "interrupted" for t in queue.tasks)
        ):
            return Phase.INTERRUPTED
        return Phase.RUNNING

    def elapsed_s(self, now: datetime) -> float:
        """Time since the run started; frozen at its last write once it finished or was stopped."""
        if self.queue is None:
            return 0.0
        end = now if self.phase == Phase.RUNNING else self.queue.updated_at
        return max(0.0, (end - self.queue.created_at).total_seconds())


EMPTY_VIEW = RunView()


def _plain_resume(install_dir: str) -> str:
    return Invocation().on(install_dir, "--resume")


@dataclass(frozen=True)
class VerdictLine:
    """The line above the footer: empty while the run goes; `kind` is ok, failed or stopping."""

    message: str = ""
    kind: str = ""


def verdict_line(
    view: RunView,
    *,
    stopping: bool = False,
    crash: str | None = None,
    resume_hint: Callable[[str], str] | None = None,
) -> VerdictLine:
    """How the run ended, in one or two sentences, from the run dir (and a crash of our own, if any).

    `resume_hint` gives the command that continues the run in a folder, as the person's shell
    understands it (see domain/commands.py); by default the bare program name.
    """
    if stopping:
        return VerdictLine("Stopping the run: recording the running task so --resume can continue it…", "stopping")
    if crash:
        return VerdictLine(f"The run crashed: {crash}. Press q to quit.", "failed")
    queue = view.queue
    if queue is None:
        return VerdictLine()
    if view.phase == Phase.INTERRUPTED:
        return VerdictLine(
            f"This run was interrupted. Continue it with: {(resume_hint or _plain_resume)(queue.install_dir)}", "failed"
        )
    if view.phase != Phase.FINISHED:
        return VerdictLine()
    if view.run_error:
        return VerdictLine(
            f"The agent backend failed: {view.run_error}. "
            "Check the key and the network, or run without a model with --agent offline. Press q to quit.",
            "failed",
        )
    outcome = verdict(queue)
    message = f"{outcome.sentence()}{figures_text(view.figures)} Press q to quit."
    return VerdictLine(message, "ok" if outcome.ok else "failed")


def format_ms(ms: float) -> str:
    """A duration with its unit attached, so wrapping never parts them (`450ms`, `4.93s`)."""
    return f"{ms:.0f}ms" if ms < 1000 else f"{ms / 1000:.2f}s"


def figures_text(props: Mapping[str, Any]) -> str:
    """The figures of a finished run, for the verdict line: ` Took 4.93s (first task after 360ms, …).`"""
    details = []
    if props.get("time_to_first_task_ms") is not None:
        details.append(f"first task after {format_ms(props['time_to_first_task_ms'])}")
    if props.get("max_gap_ms") is not None:
        details.append(f"longest silence {format_ms(props['max_gap_ms'])}")
    if props.get("dynamic_enqueue_count"):
        details.append(f"{props['dynamic_enqueue_count']} follow-up task(s)")
    if props.get("retried_task_count"):
        details.append(f"{props['retried_task_count']} retried")
    if isinstance(props.get("total_cost_usd"), int | float):  # none for the offline agent: no price
        details.append(f"cost {format_usd(props['total_cost_usd'])}")
    took = f" Took {format_ms(props['total_duration_ms'])}" if props.get("total_duration_ms") is not None else ""
    if not took and not details:
        return ""
    inside = f" ({', '.join(details)})" if details else ""
    return f"{took or ' Figures:'}{inside}."


def newest_finished(queue: QueueFile | None, root: str) -> str:
    """The task the viewer follows: the newest finished one, else the running one, else the root.

    A blocked task is marked by the executor, not finished by an agent; it is followed only
    when nothing ran, so the failure that blocked it stays in view.
    """
    if queue is None:
        return root
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
    return running or root
