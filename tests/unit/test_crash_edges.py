"""Class 5 of the hostile-input issue: resume and crash edges.

Foreign lines in our files, a disk that fills or turns read-only at any write, a resumed
orchestrator, and the rule that a task is done only when its proof is on disk.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.samples import copy_sample
from tests.unit.test_resume import crashed_run
from wizard_tui.agents.base import AgentOutcome, AgentRequest
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain import nofollow
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.persistence import read_audit, read_queue_file
from wizard_tui.engine.run import Run, RunConfig, RunResult
from wizard_tui.tui.mirror import RunDirReader

FOREIGN_LINES = [
    '{"ts": "2026-01-01T12:00:05", "run_id": "20260101-120000-abcdef", "event": "start", "task_id": "t-001"}',
    '{"ts": "2026-01-01T12:00:06.5", "run_id": "20260101-120000-abcdef", "event": "complete"}',
    '{"ts": "not a time", "run_id": "20260101-120000-abcdef", "event": "start"}',
    '{"ts": "2026-01-01T12:00:07Z", "run_id": "another-run", "event": "fail", "task_id": "t-003"}',
    "not json at all",
    "[1, 2, 3]",
    "42",
    '{"ts": 1767268800, "run_id": 7, "event": null}',
    "{" * 50_000,
    '{"ts": "2026-01-01T12:00:08Z", "run_id": "20260101-120000-abcdef", "event": "interrupt", "attempts": "x"}',
    "\x00\x01\x02 binary garbage \x1b[2J",
    '{"ts": "2026-01-01T12:00:09Z"',
]


async def run(project: Path, backend: Any = None, **config: Any) -> RunResult:
    """A run of the walking skeleton (`--stub`): every task writes a marker and a handoff."""
    config.setdefault("stub", True)
    return await Run(RunConfig(install_dir=project, **config), backend or OfflineAgent()).execute()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_sample("express-server", tmp_path)


@pytest.mark.parametrize("line", FOREIGN_LINES, ids=range(len(FOREIGN_LINES)))
async def test_foreign_audit_lines_never_break_resume_watch_or_the_final_flush(project: Path, line: str) -> None:
    paths, _ids = crashed_run(project)
    with paths.audit.open("ab") as handle:
        handle.write(line.encode("utf-8", "surrogateescape") + b"\n")
    reader = RunDirReader(paths)
    view, _events = reader.poll()
    assert view is not None and view.queue is not None
    result = await run(project, resume=True)
    assert result.exit_code == 0, result.message
    queue = read_queue_file(paths.queue)
    assert queue.finished  # the final flush happened
    assert all(t.status == TaskStatus.DONE for t in queue.tasks)
    reader.poll()
    assert reader.queue is not None and reader.queue.finished


async def test_a_queue_file_with_naive_times_resumes(project: Path) -> None:
    paths, _ids = crashed_run(project)
    text = paths.queue.read_text()
    paths.queue.write_text(text.replace('Z"', '"').replace('+00:00"', '"'))
    result = await run(project, resume=True)
    assert result.exit_code == 0, result.message


# -- a disk that fails at any write ---------------------------------------------------------------


class FailingDisk:
    """Makes the n-th write under the run dir (or under one of its folders) fail like a full disk."""

    def __init__(self, fail_at: int, code: int, under: str | None) -> None:
        self.fail_at, self.code, self.under = fail_at, code, under
        self.writes = 0
        self.real = nofollow.write_atomic

    def __call__(self, path: Path, data: bytes, **kwargs: Any) -> None:
        if ".posthog-wizard" in path.parts and (self.under is None or self.under in path.parts):
            self.writes += 1
            if self.writes >= self.fail_at:
                raise OSError(self.code, errno.errorcode.get(self.code, "error"), str(path))
        self.real(path, data, **kwargs)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fail_at=st.integers(1, 40),
    code=st.sampled_from([errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT]),
    under=st.sampled_from([None, "markers", "handoffs"]),
)
def test_a_full_or_read_only_disk_mid_run_ends_with_one_sentence_and_a_resumable_queue(
    tmp_path_factory: pytest.TempPathFactory, fail_at: int, code: int, under: str | None
) -> None:
    project = copy_sample("express-server", tmp_path_factory.mktemp("disk"))
    disk = FailingDisk(fail_at, code, under)
    mp = pytest.MonkeyPatch()
    mp.setattr(nofollow, "write_atomic", disk)
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    try:
        result = asyncio.run(run(project))
    finally:
        mp.undo()
        logging.getLogger().removeHandler(handler)
    paths = project / ".posthog-wizard"
    if disk.writes < fail_at:  # the run needed fewer writes than that: it must simply succeed
        assert result.exit_code == 0, result.message
        return
    assert result.exit_code in (1, 2), result.message
    assert "\n" not in result.message and result.message.endswith((".", "?"))
    assert not any(r.exc_info for r in records), "a traceback was logged"
    if result.exit_code == 2:
        return  # the run dir could not even be set up: nothing to resume
    if not (paths / "queue.json").exists():  # stopped before its first write: a plain run starts over
        assert "--resume" not in result.message and "run again" in result.message
        assert asyncio.run(run(project)).exit_code == 0
        return
    assert "--resume" in result.message
    queue = read_queue_file(paths / "queue.json")  # whole, valid, and not finished
    assert not queue.finished
    # Whatever the queue calls done has its proof on disk.
    for task in queue.tasks:
        if task.status == TaskStatus.DONE:
            assert (paths / "handoffs" / f"{task.id}.json").is_file()
            assert (paths / "markers" / f"{task.id}.txt").is_file()
    resumed = asyncio.run(run(project, resume=True))
    assert resumed.exit_code == 0, resumed.message
    final = read_queue_file(paths / "queue.json")
    assert final.finished and all(t.status == TaskStatus.DONE for t in final.tasks)
    for task in final.tasks:
        assert (paths / "handoffs" / f"{task.id}.json").is_file()


async def test_a_task_that_reports_done_without_its_marker_is_not_done(project: Path) -> None:
    class NoMarker:
        name, default_model = "no-marker", "no-marker-model"

        async def run(self, request: AgentRequest) -> AgentOutcome:
            if request.agent.kind == "orchestrator":
                await request.tools.call("enqueue_task", {"type": "install", "label": "a", "reason": "r"})
                return AgentOutcome(model=self.default_model)
            handoff = {"goal": "g", "did": "d", "for_next_agent": "n"}
            await request.tools.call("complete_task", {"status": "done", "handoff": handoff})
            return AgentOutcome(model=self.default_model)

    result = await run(project, NoMarker())
    assert result.exit_code == 1
    (task,) = read_queue_file(project / ".posthog-wizard" / "queue.json").tasks
    assert task.status == TaskStatus.FAILED and task.error is not None and task.error.kind == "no-marker"
    assert not (project / ".posthog-wizard" / "handoffs" / f"{task.id}.json").exists()


# -- a resumed orchestrator ---------------------------------------------------------------------


class Recorder:
    """Records the orchestrator's prompt, then seeds like the offline agent would."""

    name, default_model = "recorder", "recorder-model"

    def __init__(self) -> None:
        self.prompts: list[str] = []
        self.offline = OfflineAgent()

    async def run(self, request: AgentRequest) -> AgentOutcome:
        if request.agent.kind == "orchestrator":
            self.prompts.append(request.agent.prompt)
        return await self.offline.run(request)


async def test_a_resumed_orchestrator_is_told_which_tasks_exist_and_seeds_no_duplicates(project: Path) -> None:
    paths, ids = crashed_run(project)
    queue = json.loads(paths.queue.read_text())
    queue["orchestrator"]["status"] = "running"  # killed while still seeding
    paths.queue.write_text(json.dumps(queue))
    backend = Recorder()
    result = await run(project, backend, resume=True)
    assert result.exit_code == 0, result.message
    (prompt,) = backend.prompts
    assert "resumed" in prompt and all(task_id in prompt for task_id in ids.values())
    final = read_queue_file(paths.queue)
    keys = [(t.type, json.dumps(t.inputs, sort_keys=True)) for t in final.tasks]
    assert len(keys) == len(set(keys))
    assert [r for r in read_audit(paths.audit) if r.event == "resume"]
