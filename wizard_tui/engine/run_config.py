"""What a run is given (`RunConfig`, decided by the command line) and what it gives back (`RunResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field

from wizard_tui.domain.commands import Invocation
from wizard_tui.domain.metrics import RunMetrics
from wizard_tui.domain.printable import path_text
from wizard_tui.domain.record import Record
from wizard_tui.domain.settings import AGENT_TIMEOUT_S, MAX_CONCURRENCY, MAX_STARTS, MAX_TASK_CAP, MAX_TASKS
from wizard_tui.domain.verdict import RunVerdict
from wizard_tui.engine.apply import ApplyOutcome


class RunConfig(Record):
    """What the command line decided."""

    install_dir: Path
    model: str | None = None
    concurrency: int = Field(default=1, ge=1, le=MAX_CONCURRENCY)
    pipeline: bool = True
    max_tasks: int = Field(default=MAX_TASKS, ge=1, le=MAX_TASK_CAP)
    max_starts: int = Field(default=MAX_STARTS, ge=1)
    resume: bool = False
    fresh: bool = False
    agent_timeout_s: float = Field(default=AGENT_TIMEOUT_S, gt=0)
    stub: bool = False  # --stub: every task runs the stub body (the walking skeleton)
    apply: bool = False  # --apply: apply changes.patch at the end when the review task passed
    # How the person started this run, so hints name a command that works in their shell.
    invocation: Invocation | None = None

    def command(self, flag: str | None = None) -> str:
        """What to type to run again with `flag` (`--resume`, `--fresh`, or None for a plain run)."""
        return (self.invocation or Invocation(args=(path_text(self.install_dir),))).again(flag)

    def sub(self, command: str) -> str:
        """What to type to `apply` or `revert` this run's project, in the shell that started the run."""
        return (self.invocation or Invocation()).sub(command, path_text(self.install_dir))


@dataclass
class RunResult:
    """How a run ended: the exit code, the sentence for the person, and its figures."""

    exit_code: int
    verdict: RunVerdict | None
    metrics: RunMetrics | None
    run_id: str | None
    message: str
    usage: dict[str, int] = field(default_factory=dict)
    applied: ApplyOutcome | None = None  # with --apply, what was applied
    patch_files: int = 0  # how many files the run's changes.patch changes (0: no patch)
    next_step: str = ""  # what the person can do now: apply the patch, or undo what --apply did
    usage_by_model: dict[str, dict[str, Any]] = field(default_factory=dict)  # counters and cost_usd
    cost_usd: float | None = None  # at list prices; None when no model that ran has a price
