"""Each enqueue guard, and their order: the first failure wins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from wizard_tui.domain.claude_models import at_or_below
from wizard_tui.domain.guards import Limits, check_enqueue
from wizard_tui.domain.models import Task, TaskStatus

TYPES = ["install", "init", "capture"]
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def task(
    tid: str,
    *,
    type_: str = "install",
    by: str = "orchestrator",
    depth: int = 0,
    inputs: dict[str, Any] | None = None,
    status: TaskStatus = TaskStatus.PENDING,
) -> Task:
    return Task(
        id=tid, type=type_, label=tid, enqueued_by=by, depth=depth, inputs=inputs or {}, created_at=NOW, status=status
    )


def check(tasks: list[Task], limits: Limits | None = None, **kw: Any) -> str | None:
    args: dict[str, Any] = dict(task_type="capture", inputs={}, depends_on=[], model=None, enqueued_by="orchestrator")
    args.update(kw)
    trip = check_enqueue(
        tasks={t.id: t for t in tasks},
        valid_types=TYPES,
        valid_models={"claude-haiku-4-5"},
        limits=limits or Limits(),
        **args,
    )
    return trip.guard if trip else None


def test_accepts_a_valid_enqueue() -> None:
    assert check([task("a")], depends_on=["a"]) is None


def test_queue_full() -> None:
    assert check([task("a"), task("b", inputs={"x": 1})], Limits(max_tasks=2)) == "queue-full"


def test_unknown_type_lists_valid_types() -> None:
    trip = check_enqueue(
        task_type="deploy",
        inputs={},
        depends_on=[],
        model=None,
        enqueued_by="orchestrator",
        tasks={},
        valid_types=TYPES,
        valid_models=set(),
        limits=Limits(),
    )
    assert trip is not None and trip.guard == "unknown-type"
    assert "capture, init, install" in trip.message


def test_invalid_model() -> None:
    assert check([], model="gpt-9") == "invalid-model"
    assert check([], model="claude-haiku-4-5") is None


@pytest.mark.parametrize(
    ("model", "words"),
    [
        ("claude-3-7-sonnet-latest", "Unknown or retired model"),
        ("claude-opus-4-8", "may be lowered, never raised"),
    ],
)
def test_invalid_model_lists_only_current_ids_at_or_below_the_run_model(model: str, words: str) -> None:
    allowed = at_or_below("claude-sonnet-4-6")
    trip = check_enqueue(
        task_type="capture",
        inputs={},
        depends_on=[],
        model=model,
        enqueued_by="orchestrator",
        tasks={},
        valid_types=TYPES,
        valid_models=allowed,
        limits=Limits(),
    )
    assert trip is not None and trip.guard == "invalid-model" and words in trip.message
    listed = trip.message.split("pick one of: ")[1].rstrip(".").split(", ")
    assert listed == allowed and "claude-3-7-sonnet-latest" not in trip.message.split("pick one of")[1]


def test_unknown_dep() -> None:
    assert check([task("a")], depends_on=["a", "zzz"]) == "unknown-dep"


def test_depth_limit() -> None:
    chain = [
        task("a"),
        task("b", by="a", depth=1, inputs={"n": 1}),
        task("c", by="b", depth=2, inputs={"n": 2}),
        task("d", by="c", depth=3, inputs={"n": 3}),
    ]
    assert check(chain, enqueued_by="c", inputs={"n": 9}) is None  # depth 3 allowed
    assert check(chain, enqueued_by="d", inputs={"n": 9}) == "depth"


def test_fan_out_applies_to_tasks_not_the_orchestrator() -> None:
    kids = [task(f"k{i}", by="p", depth=1, inputs={"i": i}) for i in range(5)]
    tasks = [task("p"), *kids]
    assert check(tasks, enqueued_by="p", inputs={"i": 99}) == "fan-out"
    assert check(tasks, enqueued_by="orchestrator", inputs={"i": 99}) is None


def test_dedup_ignores_key_order_and_failed_tasks() -> None:
    existing = task("a", type_="capture", inputs={"x": 1, "y": 2})
    assert check([existing], inputs={"y": 2, "x": 1}) == "dedup"
    failed = task("a", type_="capture", inputs={"x": 1, "y": 2}, status=TaskStatus.FAILED)
    assert check([failed], inputs={"y": 2, "x": 1}) is None


def test_order_first_failure_wins() -> None:
    # Unknown type and unknown dep and full queue at once: queue-full is checked first.
    assert check([task("a")], Limits(max_tasks=1), task_type="nope", depends_on=["zz"]) == "queue-full"
    assert check([task("a")], task_type="nope", model="bad", depends_on=["zz"]) == "unknown-type"
    assert check([task("a")], model="bad", depends_on=["zz"]) == "invalid-model"
