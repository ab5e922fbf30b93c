"""The handoff viewer's documents, as markdown: pure functions of the run's state."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime

from wizard_tui.domain.models import Handoff, HandoffFile, QueueFile, Task, TaskStatus
from wizard_tui.domain.verdict import verdict
from wizard_tui.tui.run_view import display_status, patched_files
from wizard_tui.tui.status_style import glyph

_INPUTS_MAX = 2_000
TASK_DIFF_MAX_LINES = 400
PATCH_MAX_LINES = 5_000


def _offset(ts: datetime | None, start: datetime) -> str:
    if ts is None:
        return "—"
    # The unit is attached to the number so a wrapped line never parts them.
    return f"+{(ts - start).total_seconds():.2f}s"


def _took(task: Task) -> str:
    if task.started_at is None or task.finished_at is None or task.finished_at < task.started_at:
        return ""
    return f" · took {(task.finished_at - task.started_at).total_seconds():.2f}s"


def _who(task_id: str, by_id: dict[str, Task]) -> str:
    return f"{by_id[task_id].type} `{task_id}`" if task_id in by_id else f"`{task_id}`"


def _para(name: str, text: str) -> list[str]:
    return [f"**{name}:** {text.strip()}", ""]


def handoff_section(handoff: Handoff) -> list[str]:
    lines = ["### Handoff", ""]
    lines += _para("Goal", handoff.goal) + _para("Did", handoff.did)
    lines += _para("For the next agent", handoff.for_next_agent)
    if handoff.files_touched:
        lines += ["**Files touched:**", ""] + [f"- `{f}`" for f in handoff.files_touched] + [""]
    if handoff.evidence:
        lines += _para("Evidence", handoff.evidence)
    return lines


def task_markdown(
    task: Task,
    queue: QueueFile,
    handoff_file: HandoffFile | None = None,
    diff: str | None = None,
    *,
    start: datetime | None = None,
) -> str:
    """Type, status, attempts, timings, error, handoff, proposed changes and inputs of one task.

    Its start and finish are offsets from `start` (the run's first fact, where the event log
    counts from), else from the queue's creation.
    """
    status = display_status(task)
    start = start or queue.created_at
    by_id = {t.id: t for t in queue.tasks}
    deps = ", ".join(_who(d, by_id) for d in task.depends_on) or "nothing"
    model = f" · model `{task.model}`" if task.model else ""
    lines = [
        f"## {glyph(status)} {task.label}",
        "",
        f"**{status}** · `{task.type}` · `{task.id}` · attempt {task.attempts} of {task.max_attempts}{_took(task)}",
        "",
        f"Enqueued by {_who(task.enqueued_by, by_id)} (depth {task.depth}) · depends on {deps}{model}",
        "",
        f"Started {_offset(task.started_at, start)} · finished {_offset(task.finished_at, start)}",
        "",
    ]
    if task.reason:
        lines += _para("Why", task.reason)
    if task.error is not None:
        lines += ["### Error", "", f"**{task.error.kind}**: {task.error.message}", ""]
    handoff = task.handoff or (handoff_file.handoff if handoff_file else None)
    if handoff is not None:
        lines += handoff_section(handoff)
    elif task.status == TaskStatus.RUNNING and status == "running":
        lines += ["*The agent is working; its handoff shows here when it reports.*", ""]
    elif task.status == TaskStatus.PENDING:
        lines += ["*Waiting for its dependencies or a free slot.*", ""]
    if diff:
        lines += ["### Proposed changes", "", *_diff_block(diff, TASK_DIFF_MAX_LINES), ""]
    if task.inputs:
        inputs = json.dumps(task.inputs, indent=2, ensure_ascii=False)
        if len(inputs) > _INPUTS_MAX:
            inputs = inputs[:_INPUTS_MAX] + "\n…"
        lines += ["### Inputs", "", "```json", inputs, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def _diff_block(diff: str, max_lines: int) -> list[str]:
    """A diff as a fenced block the viewer colours; cut at `max_lines` with a line saying so."""
    lines = diff.rstrip("\n").split("\n")
    cut = len(lines) - max_lines
    if cut > 0:
        lines = lines[:max_lines]
    # A fence longer than any run of backticks in the diff, so the project's code cannot close it.
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", diff)), default=0))
    block = [f"{fence}diff", *lines, fence]
    if cut > 0:
        block += ["", f"*{cut} more lines: the whole patch is `.posthog-wizard/changes.patch`.*"]
    return block


def patch_markdown(patch: str | None, diffs: Mapping[str, str], queue: QueueFile | None) -> str:
    """The whole patch: `changes.patch` once the run wrote it, else what the tasks proposed so far."""
    if patch is None:
        order = [t.id for t in queue.tasks] if queue else []
        patch = "".join(diffs[task_id] for task_id in order if task_id in diffs)
        title, note = "Proposed so far", "The run writes the whole patch, `changes.patch`, when it finishes."
    else:
        title = "Proposed changes"
        note = "Written to `.posthog-wizard/changes.patch`; the project is unchanged until it is applied."
    files = patched_files(patch)
    if not patch.strip():
        if queue is not None and queue.finished:
            return "## No changes\n\nThis run proposed no change to the project.\n"
        return f"## {title}\n\nNo task has proposed a change yet.\n"
    listing = ", ".join(f"`{f}`" for f in files) or "?"
    lines = [f"## {title}", "", f"{len(files)} file(s): {listing}", "", note, ""]
    lines += _diff_block(patch, PATCH_MAX_LINES)
    return "\n".join(lines) + "\n"


def run_markdown(queue: QueueFile | None, problem: str | None = None) -> str:
    """The root node's document: the run as a whole."""
    if queue is None:
        return "## Waiting for the run\n\nNothing has been written to the run dir yet.\n"
    orchestrator = queue.orchestrator
    counts: dict[str, int] = {}
    for t in queue.tasks:
        counts[display_status(t)] = counts.get(display_status(t), 0) + 1
    tally = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no tasks yet"
    lines = [
        "## Orchestrator",
        "",
        f"**{orchestrator.status}** · run `{queue.run_id}` · framework `{queue.framework or '?'}`",
        "",
        f"Backend `{queue.backend or '?'}` · model `{queue.model or '?'}`",
        "",
        f"Tasks: {len(queue.tasks)} ({tally})",
    ]
    if orchestrator.error is not None:
        lines += ["", "### Error", "", f"**{orchestrator.error.kind}**: {orchestrator.error.message}"]
    if queue.finished:
        lines += ["", "### Verdict", "", verdict(queue).sentence()]
    if problem:
        lines += ["", f"*{problem}*"]
    return "\n".join(lines) + "\n"
