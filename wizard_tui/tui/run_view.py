"""What the UI knows of a run, and where the run is in its life: modelled once, here.

A `RunView` is one consistent picture read from the run dir by the mirror (the UI's only
input, in a run and in `watch`). Everything the widgets show about the run's lifecycle
(waiting, running, interrupted, finished; a task shown as retrying or interrupted; the
verdict) is a pure function of it. No Textual here, so it is tested without an app.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any

from wizard_tui.domain.commands import Invocation
from wizard_tui.domain.models import HandoffFile, QueueFile, Task, TaskStatus
from wizard_tui.domain.spend import format_usd
from wizard_tui.domain.verdict import verdict
from wizard_tui.domain.wording import api_wait_text


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


@dataclass(frozen=True)
class ApiWait:
    """An agent waiting to retry the model API: the `api-retry` fact, from when it was recorded."""

    fact: Mapping[str, Any]  # agent_id, task_type, attempt, max_retries, wait_s, cause
    since: datetime

    @property
    def until(self) -> datetime:
        return self.since + timedelta(seconds=float(self.fact.get("wait_s") or 0))


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
    waits: Mapping[str, ApiWait] = field(default_factory=dict)  # agent id -> its latest wait on the API
    applied: str | None = None  # what `apply` did with this run's changes: applying, applied or reverted
    # The run's first fact (its first session's start): the origin of every offset on screen, as
    # of the event log's and the summary's, so the three agree. None until the log is read.
    started_at: datetime | None = None

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
        return max(0.0, (end - self.origin).total_seconds())

    @property
    def origin(self) -> datetime:
        """Where the offsets shown count from: the run's first fact, else the queue's creation."""
        assert self.queue is not None
        return self.started_at or self.queue.created_at


EMPTY_VIEW = RunView()


def _plain_resume(install_dir: str) -> str:
    return Invocation().on(install_dir, "--resume")


@dataclass(frozen=True)
class VerdictLine:
    """The line above the footer: empty while the run goes, but for waits; `kind` is ok, failed, stopping or waiting."""

    message: str = ""
    kind: str = ""


def verdict_line(
    view: RunView,
    *,
    stopping: bool = False,
    crash: str | None = None,
    resume_hint: Callable[[str], str] | None = None,
    now: datetime | None = None,
    can_apply: bool = False,
    sub_hint: Callable[[str], str] | None = None,
) -> VerdictLine:
    """How the run ended, in one or two sentences, from the run dir (and a crash of our own, if any).

    While the run goes the line is empty, except while an agent waits on the model API
    (until `now` passes the end of its wait). `resume_hint` gives the command that continues
    the run in a folder, as the person's shell understands it (see domain/commands.py); by
    default the bare program name. `can_apply`: the `a` key applies the patch (a run's own window).
    `sub_hint` gives the `apply` or `revert` command for the project, likewise.
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
    if view.phase == Phase.RUNNING:
        return _waiting(view, now)
    if view.phase != Phase.FINISHED:
        return VerdictLine()
    if view.run_error:
        error = view.run_error.rstrip(".")
        # The backend's own sentence usually says what to do; the way out without a model, always.
        hint = "" if "--agent offline" in error else " Check the key and the network, or run with --agent offline."
        return VerdictLine(f"The agent backend failed: {error}.{hint} Press q to quit.", "failed")
    outcome = verdict(queue)
    message = (
        f"{outcome.sentence()}{figures_text(view.figures)}{_changes_note(view, can_apply, sub_hint)} Press q to quit."
    )
    return VerdictLine(message, "ok" if outcome.ok else "failed")


def _changes_note(view: RunView, can_apply: bool, sub_hint: Callable[[str], str] | None) -> str:
    """What became of the proposed patch: applied, or how to apply it."""
    where = view.queue.install_dir if view.queue else ""
    command = sub_hint or (lambda name: Invocation().sub(name, where))
    if view.applied == "applied":
        return f" The changes are applied to the project; undo with `{command('revert')}`."
    if not view.patch:
        return ""
    files = len(patched_files(view.patch))
    if can_apply:
        return f" The patch changes {files} file(s): d shows it, a applies it."
    return f" The patch changes {files} file(s); apply it with `{command('apply')}`."


def patched_files(patch: str) -> list[str]:
    """The files a git-style patch changes, in order: the `+++ b/X` line of each file's header.

    Only header lines count (between `diff --git` and the first `@@`): an added line of code
    can read `+++ b/x` too. Git ends a name holding a space with a tab, which is dropped.
    """
    files, in_header = [], False
    for line in patch.split("\n"):
        if line.startswith("diff --git "):
            in_header = True
        elif line.startswith("@@"):
            in_header = False
        elif in_header and line.startswith("+++ b/"):
            files.append(line[len("+++ b/") :].rstrip("\t"))
    return files


def _waiting(view: RunView, now: datetime | None) -> VerdictLine:
    """The longest wait on the model API still going at `now`, if any."""
    if now is None:
        return VerdictLine()
    going = [w for w in view.waits.values() if w.until > now]
    if not going:
        return VerdictLine()
    wait = max(going, key=lambda w: w.until)
    left = math.ceil((wait.until - now).total_seconds())
    return VerdictLine(f"Waiting on the model API: {api_wait_text(wait.fact)} ({left}s left)", "waiting")


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
