"""The whole skeleton, headless, on every sample project: the acceptance criteria of the seed issue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.samples import REPO, SAMPLE_NAMES, tree_digest
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.persistence import iter_jsonl, read_audit, read_queue_file
from wizard_tui.engine.run import Run, RunConfig

HAS_LLM_CALLS = {"nextjs-app-router", "fastapi-anthropic"}
ROOT_EVENTS = ("enqueue", "start", "complete")


@pytest.mark.parametrize("name", SAMPLE_NAMES)
async def test_headless_run_on_sample(name: str, sample: Callable[[str], Path]) -> None:
    project = sample(name)
    before = tree_digest(project)
    result = await Run(RunConfig(install_dir=project, stub=True), OfflineAgent()).execute()
    assert result.exit_code == 0, result.message
    assert tree_digest(project) == before, "the user's project changed"

    run_dir = project / ".posthog-wizard"
    assert (run_dir / ".gitignore").read_text() == "*\n"
    queue = read_queue_file(run_dir / "queue.json")
    assert queue.finished and queue.orchestrator.status == "done"
    tasks = {t.id: t for t in queue.tasks}
    assert all(t.status == TaskStatus.DONE for t in tasks.values())
    by_type: dict[str, list[str]] = {}
    for t in queue.tasks:
        by_type.setdefault(t.type, []).append(t.id)

    # Graph shape: install and init are parallel roots; identify and plan-capture join them;
    # capture follows plan-capture; llm-analytics exactly where LLM calls exist.
    (install,), (init,) = by_type["install"], by_type["init"]
    assert tasks[install].depends_on == [] and tasks[init].depends_on == []
    (identify,), (plan,) = by_type["identify"], by_type["plan-capture"]
    assert set(tasks[identify].depends_on) == {install, init}
    assert set(tasks[plan].depends_on) == {install, init}
    seeded_capture = [c for c in by_type["capture"] if tasks[c].enqueued_by == "orchestrator"]
    assert len(seeded_capture) == 1 and tasks[seeded_capture[0]].depends_on == [plan]
    if name in HAS_LLM_CALLS:
        (llm,) = by_type["llm-analytics"]
        assert tasks[llm].depends_on == [init]
        assert tasks[llm].inputs["llm_calls"], "llm-analytics must name the call sites"
    else:
        assert "llm-analytics" not in by_type

    # At least one task-driven (dynamic) enqueue, bounded by the guards.
    dynamic = [t for t in queue.tasks if t.dynamic]
    assert dynamic and all(t.enqueued_by == plan and t.depends_on == [plan] and t.depth == 1 for t in dynamic)
    assert len(queue.tasks) <= 30

    # One handoff file and one marker per task, and nothing else.
    assert sorted(p.stem for p in (run_dir / "handoffs").iterdir()) == sorted(tasks)
    assert sorted(p.stem for p in (run_dir / "markers").iterdir()) == sorted(tasks)
    for tid in tasks:
        handoff = json.loads((run_dir / "handoffs" / f"{tid}.json").read_text())
        assert handoff["task_id"] == tid and handoff["handoff"]["goal"].strip()
        assert tid in (run_dir / "markers" / f"{tid}.txt").read_text()

    # enqueue, start, complete audit lines for every task.
    audit = read_audit(run_dir / "audit.jsonl")
    for tid in tasks:
        events = [r.event for r in audit if r.task_id == tid]
        assert events == list(ROOT_EVENTS), (tid, events)

    if queue.framework == "unknown":  # nothing to install is known: no intent rather than a guess
        assert not (run_dir / "install-intent.json").exists()
    else:
        intent = json.loads((run_dir / "install-intent.json").read_text())
        assert intent["sdks"] and intent["package_manager"]

    # Telemetry: the smoke set of the seed issue.
    telemetry = [r["event"] for r in iter_jsonl(run_dir / "telemetry.jsonl")]
    assert telemetry[0] == "orchestrator started" and telemetry[-1] == "orchestrator run finished"
    assert telemetry.count("orchestrator seeded") == 1
    assert telemetry.count("orchestrator task enqueued") == len(tasks)
    assert telemetry.count("orchestrator task started") == len(tasks)
    assert telemetry.count("orchestrator task completed") == len(tasks)
    assert telemetry.count("agent completed") == len(tasks) + 1


async def test_second_run_archives_the_first(sample: Callable[[str], Path]) -> None:
    project = sample("express-server")
    first = await Run(RunConfig(install_dir=project, stub=True), OfflineAgent()).execute()
    second = await Run(RunConfig(install_dir=project, stub=True), OfflineAgent()).execute()
    assert first.exit_code == second.exit_code == 0 and first.run_id != second.run_id
    archived = project / ".posthog-wizard" / "previous" / str(first.run_id)
    assert (archived / "queue.json").is_file() and (archived / "markers").is_dir()
    assert read_queue_file(project / ".posthog-wizard" / "queue.json").run_id == second.run_id


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "POSTHOG_PROJECT_API_KEY")
    }
    return subprocess.run(
        [sys.executable, "-m", "wizard_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or REPO,
        timeout=120,
    )


def test_cli_no_ui_streams_lines_and_exits_zero(sample: Callable[[str], Path]) -> None:
    project = sample("nextjs-app-router")
    done = _cli(str(project), "--no-ui", "--stub")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(" started " in line for line in lines) and any(" done " in line for line in lines)
    assert "All " in lines[-1] and "tasks done." in lines[-1]
    assert "backend: offline" in done.stdout
    assert done.stderr == ""


def test_cli_json_lines(sample: Callable[[str], Path]) -> None:
    project = sample("django-app")
    done = _cli(str(project), "--no-ui", "--stub", "--json")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert {e["kind"] for e in events} == {"audit", "telemetry", "summary"}
    assert events[-1]["kind"] == "summary" and events[-1]["exit_code"] == 0


def test_no_ui_never_imports_textual(sample: Callable[[str], Path]) -> None:
    project = sample("no-framework")
    code = (
        "import sys\n"
        "from wizard_tui.cli import main\n"
        f"rc = main([{str(project)!r}, '--no-ui', '--stub'])\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'wizard_tui.tui')))\n"
        "print('IMPORTED', bad)\n"
        "sys.exit(rc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "IMPORTED []" in done.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["/no/such/folder", "--no-ui"], "does not exist"),
        (["pyproject.toml", "--no-ui"], "is a file"),
        (["sample_projects/no-framework", "--concurrency", "0"], "must be from 1 to 32"),
        (["sample_projects/no-framework", "--bogus"], "unrecognized arguments"),
        (["sample_projects/no-framework", "--agent", "anthropic", "--no-ui"], "ANTHROPIC_API_KEY"),
        ([], "required"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(args: list[str], needle: str) -> None:
    done = _cli(*args)
    assert done.returncode == 2
    assert needle in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
