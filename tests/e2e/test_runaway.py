"""A runaway agent that keeps enqueueing and never reports is stopped by the guards and the start backstop."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.support.hostile import RunawayBackend
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.persistence import iter_jsonl, read_audit, read_queue_file
from wizard_tui.engine.run import Run, RunConfig, RunResult


async def runaway(tmp_path: Path, backend: RunawayBackend, **config: int) -> tuple[RunResult, Path]:
    project = tmp_path / "app"
    project.mkdir()
    (project / "index.js").write_text("console.log('hi')\n")
    result = await Run(RunConfig(install_dir=project, stub=True, **config), backend).execute()  # type: ignore[arg-type]
    return result, project / ".posthog-wizard"


def guards_tripped(run_dir: Path) -> Counter[str]:
    return Counter(
        str((r.model_extra or {}).get("guard")) for r in read_audit(run_dir / "audit.jsonl") if r.event == "guard"
    )


async def test_guards_stop_a_runaway_within_the_queue_cap(tmp_path: Path) -> None:
    backend = RunawayBackend(seeds=40)  # the orchestrator runs away too
    result, run_dir = await runaway(tmp_path, backend)
    assert result.exit_code == 1 and result.verdict is not None and not result.verdict.ok
    assert result.message.startswith("Run did not complete: failed: ")

    queue = read_queue_file(run_dir / "queue.json")
    tasks = {t.id: t for t in queue.tasks}
    assert len(tasks) == 30, "the queue cap holds"
    assert all(t.status == TaskStatus.FAILED and t.error and t.error.kind == "no-report" for t in tasks.values())
    assert all(t.attempts == t.max_attempts == 2 for t in tasks.values()), "one retry each, no more"
    assert max(t.depth for t in tasks.values()) <= 3
    children = Counter(t.enqueued_by for t in tasks.values() if t.dynamic)
    assert not children or max(children.values()) <= 5

    trips = guards_tripped(run_dir)
    assert trips["queue-full"] > 0
    assert sum(trips.values()) == len(backend.refusals)
    assert all(r.startswith("Refused by the ") for r in backend.refusals)
    telemetry = [r for r in iter_jsonl(run_dir / "telemetry.jsonl") if r["event"] == "orchestrator guard tripped"]
    assert len(telemetry) == len(backend.refusals)
    finished = [r for r in iter_jsonl(run_dir / "telemetry.jsonl") if r["event"] == "orchestrator run finished"]
    assert finished[-1]["properties"]["tasks_failed"] == 30


async def test_runaway_tasks_hit_fan_out_and_depth(tmp_path: Path) -> None:
    backend = RunawayBackend(seeds=1)
    result, run_dir = await runaway(tmp_path, backend, max_tasks=200)
    assert result.exit_code == 1
    tasks = read_queue_file(run_dir / "queue.json").tasks
    # One seed, five children each, three levels deep: 1 + 5 + 25 + 125.
    assert len(tasks) == 156 and Counter(t.depth for t in tasks) == {0: 1, 1: 5, 2: 25, 3: 125}
    assert {"fan-out", "depth"} <= set(guards_tripped(run_dir))


async def test_the_start_backstop_ends_a_runaway_the_guards_allow(tmp_path: Path) -> None:
    backend = RunawayBackend(seeds=3)
    result, run_dir = await runaway(tmp_path, backend, max_tasks=1000, max_starts=200)
    assert result.exit_code == 1
    tasks = read_queue_file(run_dir / "queue.json").tasks
    assert sum(t.attempts for t in tasks) == 200, "exactly the backstop's number of starts"
    starts = [r for r in read_audit(run_dir / "audit.jsonl") if r.event == "start"]
    assert len(starts) == 200
    assert not [t for t in tasks if not t.status.terminal], "nothing is left pending or running"
    never_started = [t for t in tasks if t.attempts == 0]
    assert never_started and all(t.error and t.error.kind == "backstop" for t in never_started)
    assert "failed:" in result.message
