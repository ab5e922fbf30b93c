"""How a run ended, from its tasks' statuses alone: the verdict the summary and the UI state."""

from __future__ import annotations

from dataclasses import dataclass

from wizard_tui.domain.models import QueueFile, TaskStatus


@dataclass(frozen=True)
class RunVerdict:
    """How a run ended, from the statuses alone."""

    ok: bool
    total: int
    counts: dict[str, int]
    failed: list[str]
    blocked: list[str]
    unfinished: list[str]
    orchestrator_ok: bool
    orchestrator_error: str | None = None  # why seeding failed (say, the model API could not be reached)
    # The first task the agent backend failed (not one whose agent reported failure), and why:
    # a model API that went away mid-run fails every task the same way, and this names how.
    backend_failure: tuple[str, str] | None = None

    def sentence(self) -> str:
        if self.ok:
            skipped = self.counts.get(TaskStatus.SKIPPED.value, 0)
            if skipped:  # a skip is not work done: say how many, so "all done" never hides them
                done = self.counts.get(TaskStatus.DONE.value, 0)
                return f"All {self.total} tasks finished: {done} done, {skipped} skipped (their handoffs say why)."
            return f"All {self.total} tasks done."
        parts = []
        if not self.orchestrator_ok:
            why = f" ({self.orchestrator_error.rstrip('.')})" if self.orchestrator_error else ""
            parts.append(f"the orchestrator did not finish seeding{why}")
        if self.failed:
            cause = ""
            if self.backend_failure is not None and self.orchestrator_ok:  # else the seeding's cause says it
                task_id, message = self.backend_failure
                cause = f" ({task_id}: {message.rstrip('.')})"
            parts.append(f"failed: {', '.join(self.failed)}{cause}")
        if self.blocked:
            parts.append(f"blocked: {', '.join(self.blocked)}")
        if self.unfinished:
            parts.append(f"not finished: {', '.join(self.unfinished)}")
        if not parts:
            parts.append("no tasks were enqueued")
        return "Run did not complete: " + "; ".join(parts) + "."


def verdict(queue: QueueFile) -> RunVerdict:
    counts = {s.value: 0 for s in TaskStatus}
    for t in queue.tasks:
        counts[t.status.value] += 1
    failed = [t.id for t in queue.tasks if t.status == TaskStatus.FAILED]
    blocked = [t.id for t in queue.tasks if t.status == TaskStatus.BLOCKED]
    unfinished = [t.id for t in queue.tasks if not t.status.terminal]
    orchestrator_ok = queue.orchestrator.status == "done"
    ok = orchestrator_ok and bool(queue.tasks) and all(t.status.satisfied for t in queue.tasks)
    error = queue.orchestrator.error
    backend_failure = next(
        (
            (t.id, t.error.message)
            for t in queue.tasks
            if t.status == TaskStatus.FAILED and t.error is not None and t.error.kind == "agent-error"
        ),
        None,
    )
    return RunVerdict(
        ok,
        len(queue.tasks),
        counts,
        failed,
        blocked,
        unfinished,
        orchestrator_ok,
        error.message if error else None,
        backend_failure,
    )
