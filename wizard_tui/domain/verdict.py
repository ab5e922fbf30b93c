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

    def sentence(self) -> str:
        if self.ok:
            return f"All {self.total} tasks done."
        parts = []
        if not self.orchestrator_ok:
            parts.append("the orchestrator did not finish seeding")
        if self.failed:
            parts.append(f"failed: {', '.join(self.failed)}")
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
    return RunVerdict(ok, len(queue.tasks), counts, failed, blocked, unfinished, orchestrator_ok)
