"""Enqueue guards: pure decisions over the current queue, checked in a fixed order."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from wizard_tui.domain.claude_models import current_ids, lookup
from wizard_tui.domain.models import ORCHESTRATOR, Task, TaskStatus
from wizard_tui.domain.settings import MAX_DEPTH, MAX_FAN_OUT, MAX_STARTS, MAX_TASKS


@dataclass(frozen=True)
class Limits:
    """The caps that stop a runaway agent."""

    max_tasks: int = MAX_TASKS
    max_depth: int = MAX_DEPTH
    max_fan_out: int = MAX_FAN_OUT
    max_starts: int = MAX_STARTS


@dataclass(frozen=True)
class GuardTrip:
    """Which guard refused an enqueue, and a sentence telling the agent how to fix its call."""

    guard: str
    message: str


# Every name a GuardTrip carries: telemetry sends a guard's name only when it is one of these.
GUARD_NAMES = ("queue-full", "unknown-type", "invalid-model", "unknown-dep", "depth", "fan-out", "dedup")


def dedup_key(task_type: str, inputs: Mapping[str, Any]) -> str:
    return task_type + "\x00" + json.dumps(inputs, sort_keys=True, default=str)


def check_enqueue(
    *,
    task_type: str,
    inputs: Mapping[str, Any],
    depends_on: Collection[str],
    model: str | None,
    enqueued_by: str,
    tasks: Mapping[str, Task],
    valid_types: Collection[str],
    valid_models: Collection[str],
    limits: Limits,
    dedup_index: Mapping[str, str] | None = None,
    children: Mapping[str, int] | None = None,
) -> GuardTrip | None:
    """Return the first guard that refuses this enqueue, or None when it may proceed.

    `dedup_index` (dedup key -> non-failed task id) and `children` (enqueuer -> count) are the
    store's indexes; without them they are computed from `tasks`, which is O(queue size).
    """
    if len(tasks) >= limits.max_tasks:
        return GuardTrip(
            "queue-full",
            f"The queue already holds {len(tasks)} tasks, the cap for this run; "
            "do not enqueue more. Finish your own work and report with complete_task.",
        )
    if task_type not in valid_types:
        return GuardTrip(
            "unknown-type",
            f"Unknown task type {task_type!r}. Valid types: {', '.join(sorted(valid_types))}.",
        )
    if model is not None and model not in valid_models:
        choices = ", ".join(i for i in current_ids() if i in valid_models)
        problem = (
            f"Model {model!r} costs more than this run's model allows; a task's model may be lowered, never raised."
            if lookup(model) is not None
            else f"Unknown or retired model {model!r}."
        )
        return GuardTrip(
            "invalid-model", f"{problem} Leave `model` out to use the default, or pick one of: {choices or 'none'}."
        )
    missing = [dep for dep in depends_on if dep not in tasks]
    if missing:
        known = ", ".join(tasks) or "none yet"
        return GuardTrip(
            "unknown-dep",
            f"depends_on names tasks that do not exist: {', '.join(missing)}. "
            f"Use ids returned by enqueue_task (existing: {known}).",
        )
    parent = tasks.get(enqueued_by)
    depth = 0 if enqueued_by == ORCHESTRATOR or parent is None else parent.depth + 1
    if depth > limits.max_depth:
        return GuardTrip(
            "depth",
            f"Dynamic tasks may chain at most {limits.max_depth} deep; this one would be at "
            f"depth {depth}. Do the work yourself or describe it in your handoff instead.",
        )
    if enqueued_by != ORCHESTRATOR:
        count = (
            children.get(enqueued_by, 0)
            if children is not None
            else sum(1 for t in tasks.values() if t.enqueued_by == enqueued_by)
        )
        if count >= limits.max_fan_out:
            return GuardTrip(
                "fan-out",
                f"One task may enqueue at most {limits.max_fan_out} follow-ups and you have "
                f"enqueued {count}. Merge the remaining work into fewer tasks.",
            )
    key = dedup_key(task_type, inputs)
    if dedup_index is not None:
        same = dedup_index.get(key)
    else:
        same = next(
            (t.id for t in tasks.values() if t.status != TaskStatus.FAILED and dedup_key(t.type, t.inputs) == key),
            None,
        )
    if same is not None:
        return GuardTrip(
            "dedup",
            f"Task {same} already has type {task_type!r} with the same inputs; "
            f"depend on {same} instead of enqueueing it again.",
        )
    return None


def depth_for(enqueued_by: str, tasks: Mapping[str, Task]) -> int:
    parent = tasks.get(enqueued_by)
    return 0 if enqueued_by == ORCHESTRATOR or parent is None else parent.depth + 1
