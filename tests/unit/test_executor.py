"""The executor through a whole Run: order, retries, blocking, concurrency, pipelining, backstop."""

from __future__ import annotations

from pathlib import Path

from tests.support.clock import SequentialIds
from tests.support.scripted import SKELETON, ScriptedBackend
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.persistence import read_audit, read_queue_file
from wizard_tui.engine.run import Run, RunConfig


async def run(tmp_path: Path, backend: ScriptedBackend, **config: object) -> tuple[int, Path]:
    project = tmp_path / "proj"
    project.mkdir(exist_ok=True)
    (project / "index.js").write_text("console.log(1)\n")
    result = await Run(RunConfig(install_dir=project, stub=True, **config), backend, ids=SequentialIds()).execute()  # type: ignore[arg-type]
    return result.exit_code, project / ".posthog-wizard"


def statuses(run_dir: Path) -> dict[str, str]:
    return {t.label: t.status.value for t in read_queue_file(run_dir / "queue.json").tasks}


async def test_sequential_drain_respects_dependencies(tmp_path: Path) -> None:
    backend = ScriptedBackend(SKELETON)
    code, run_dir = await run(tmp_path, backend)
    assert code == 0
    assert set(statuses(run_dir).values()) == {"done"}
    label_of = {v: k for k, v in backend.ids.items()}
    ran = [label_of[i] for i in backend.runs]
    assert ran.index("plan") < ran.index("capture")
    assert ran.index("install") < ran.index("identify") and ran.index("init") < ran.index("identify")
    assert backend.max_concurrent == 1


async def test_flaky_task_is_retried_once_and_succeeds(tmp_path: Path) -> None:
    backend = ScriptedBackend(SKELETON, {"init": "flaky"})
    code, run_dir = await run(tmp_path, backend)
    assert code == 0
    events = [r.event for r in read_audit(run_dir / "audit.jsonl") if r.type == "init"]
    assert events == ["enqueue", "start", "requeue", "start", "complete"]


async def test_task_that_never_reports_fails_after_two_attempts_and_blocks_dependents(tmp_path: Path) -> None:
    backend = ScriptedBackend(SKELETON, {"init": "never"})
    code, run_dir = await run(tmp_path, backend)
    assert code == 1
    queue = read_queue_file(run_dir / "queue.json")
    by_label = {t.label: t for t in queue.tasks}
    assert by_label["init"].status == TaskStatus.FAILED and by_label["init"].attempts == 2
    assert by_label["init"].error is not None and by_label["init"].error.kind == "no-report"
    for label in ("identify", "plan", "capture"):
        task = by_label[label]
        assert task.status == TaskStatus.BLOCKED, label
        assert task.error is not None and task.error.kind == "blocked"
    assert by_label["install"].status == TaskStatus.DONE
    # capture is blocked by plan, which was blocked by init: the chain is named
    assert by_label["plan"].id in by_label["capture"].error.message  # type: ignore[union-attr]


async def test_reported_failure_is_retried_then_failed(tmp_path: Path) -> None:
    backend = ScriptedBackend(SKELETON[:2], {"install": "fail"})
    code, run_dir = await run(tmp_path, backend)
    assert code == 1
    assert statuses(run_dir) == {"install": "failed", "init": "done"}


async def test_skipped_counts_as_satisfied(tmp_path: Path) -> None:
    backend = ScriptedBackend(SKELETON, {"install": "skip"})
    code, run_dir = await run(tmp_path, backend)
    assert code == 0
    assert statuses(run_dir)["install"] == "skipped" and statuses(run_dir)["identify"] == "done"


async def test_concurrency_runs_independent_branches_together(tmp_path: Path) -> None:
    backend = ScriptedBackend(SKELETON, meet=2)  # install and init wait to see each other running
    code, _ = await run(tmp_path, backend, concurrency=2)
    assert code == 0 and backend.max_concurrent == 2


async def test_pipelining_starts_a_task_before_seeding_ends(tmp_path: Path) -> None:
    # Without pipelining no task could start while the orchestrator holds its turn: the test fails.
    _, run_dir = await run(tmp_path, ScriptedBackend(SKELETON, hold_seeding_until_a_task_runs=True))
    events = [(r.event, r.status if r.event == "orchestrator" else None) for r in read_audit(run_dir / "audit.jsonl")]
    first_start = events.index(("start", None))
    seeding_done = events.index(("orchestrator", "done"))
    assert first_start < seeding_done


async def test_no_pipeline_seeds_everything_first(tmp_path: Path) -> None:
    code, run_dir = await run(tmp_path, ScriptedBackend(SKELETON), pipeline=False)
    assert code == 0
    events = [(r.event, r.status if r.event == "orchestrator" else None) for r in read_audit(run_dir / "audit.jsonl")]
    assert events.index(("orchestrator", "done")) < events.index(("start", None))


async def test_start_backstop_fails_what_it_could_not_start(tmp_path: Path) -> None:
    graph = [(f"t{i}", "capture", []) for i in range(6)]
    code, run_dir = await run(tmp_path, ScriptedBackend(graph), max_starts=4)
    assert code == 1
    queue = read_queue_file(run_dir / "queue.json")
    kinds = sorted((t.error.kind if t.error else "") for t in queue.tasks)
    assert kinds.count("backstop") == 2
