"""Class 5 of the hostile-input issue: resume and crash edges.

Foreign lines in our files, a disk that fills or turns read-only at any write, a resumed
orchestrator, and the rule that a task is done only when its proof is on disk.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.run_dirs import ScriptedRun
from tests.support.samples import copy_sample
from tests.unit.test_resume import crashed_run
from wizard_tui.agents.base import AgentOutcome, AgentRequest
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain import nofollow
from wizard_tui.domain.models import Handoff, HandoffFile, TaskStatus
from wizard_tui.domain.persistence import read_audit, read_queue_file
from wizard_tui.domain.writers import FLUSH_AFTER_S, JsonlAppender
from wizard_tui.engine import recorder as recorder_module
from wizard_tui.engine.recorder import Recorder
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
    """Makes the n-th write under the run dir (or under one of its folders) fail like a full disk.

    Every way the run writes is counted: whole files (`write_atomic_at`, which `write_atomic`
    goes through) and the flushes of the append-only logs (audit.jsonl, telemetry.jsonl).
    """

    def __init__(self, fail_at: int, code: int, under: str | None) -> None:
        self.fail_at, self.code, self.under = fail_at, code, under
        self.writes = 0
        self.real_write_at = nofollow.write_atomic_at
        self.real_fdopen = os.fdopen

    def count(self, path: Path) -> None:
        if ".posthog-wizard" in path.parts and (self.under is None or self.under in path.parts):
            self.writes += 1
            if self.writes >= self.fail_at:
                raise OSError(self.code, errno.errorcode.get(self.code, "error"), str(path))

    def write_atomic_at(self, dir_fd: int, name: str, data: bytes, **kwargs: Any) -> None:
        self.count(_fd_path(dir_fd) / name)
        self.real_write_at(dir_fd, name, data, **kwargs)

    def fdopen(self, fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = self.real_fdopen(fd, mode, *args, **kwargs)
        return _FailingLog(handle, self, _fd_path(fd)) if mode.startswith("a") else handle

    def install(self, mp: pytest.MonkeyPatch) -> None:
        mp.setattr(nofollow, "write_atomic_at", self.write_atomic_at)
        mp.setattr(os, "fdopen", self.fdopen)


class _FailingLog:
    """An append-only log whose flushes (where its lines reach the disk) count as writes."""

    def __init__(self, handle: Any, disk: FailingDisk, path: Path) -> None:
        self.handle, self.disk, self.path = handle, disk, path

    def write(self, text: str) -> int:
        return int(self.handle.write(text))

    def flush(self) -> None:
        self.disk.count(self.path)
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()


DONE = {"status": TaskStatus.DONE, "handoff": Handoff(goal="g", did="d", for_next_agent="n")}


def _fd_path(fd: int) -> Path:
    return Path(os.readlink(f"/proc/self/fd/{fd}"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    fail_at=st.integers(1, 80),
    code=st.sampled_from([errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT]),
    under=st.sampled_from([None, "markers", "handoffs"]),
)
def test_a_full_or_read_only_disk_mid_run_ends_with_one_sentence_and_a_resumable_queue(
    tmp_path_factory: pytest.TempPathFactory, fail_at: int, code: int, under: str | None
) -> None:
    project = copy_sample("express-server", tmp_path_factory.mktemp("disk"))
    disk = FailingDisk(fail_at, code, under)
    mp = pytest.MonkeyPatch()
    disk.install(mp)
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
    queue = read_queue_file(paths / "queue.json")  # whole and valid
    if queue.finished:  # written last: only a log's last lines failed after it, and the run says so
        assert "--resume" not in result.message and "last log lines may be missing" in result.message
        assert all((paths / "handoffs" / f"{t.id}.json").is_file() for t in queue.tasks)
        return
    assert "--resume" in result.message
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


async def _after_the_flush() -> None:
    # A timer due later than the log's flush timer fires after it: ordered by the loop, not by speed.
    await asyncio.sleep(2 * FLUSH_AFTER_S)


async def test_a_log_flush_the_disk_refuses_is_reported_once_and_later_lines_are_dropped(tmp_path: Path) -> None:
    run_dir = tmp_path / ".posthog-wizard"
    run_dir.mkdir()
    mp = pytest.MonkeyPatch()
    FailingDisk(1, errno.ENOSPC, None).install(mp)
    try:
        errors: list[OSError] = []
        log = JsonlAppender(run_dir / "audit.jsonl", on_error=errors.append)
        for n in range(3):  # lines appended together: one flush, FLUSH_AFTER_S after the first
            log.append({"n": n})
        await _after_the_flush()
        assert [e.errno for e in errors] == [errno.ENOSPC]
        log.append({"n": 3})  # dropped, not raised: a transition never fails for its log line
        await _after_the_flush()
        log.flush()
        assert len(errors) == 1
        log.close()
        silent = JsonlAppender(run_dir / "other.jsonl")  # without on_error the next caller hears of it
        silent.append({"n": 0})
        await _after_the_flush()
        with pytest.raises(OSError):
            silent.append({"n": 1})
        silent.close()
    finally:
        mp.undo()


@pytest.mark.parametrize("slow", [False, True], ids=["on the loop", "in the worker"])
async def test_a_handoff_the_executor_saves_is_on_disk_or_its_error_is_raised(
    tmp_path: Path, slow: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if slow:  # every write counts as slow: after SLOW_WRITES of them the worker thread takes over
        monkeypatch.setattr(recorder_module, "SLOW_WRITE_S", -1.0)
    script = ScriptedRun(tmp_path)
    recorder = Recorder(script.paths, script.store, background=True)
    ids = [
        script.store.enqueue(
            task_type="install",
            label=str(n),
            inputs={"n": n},
            depends_on=[],
            reason="r",
            model=None,
            enqueued_by="orchestrator",
            depth=0,
        ).id
        for n in range(5)
    ]
    for task_id in ids[:4]:
        script.store.start(task_id)
        await recorder.save_handoff(HandoffFile.of(script.store.get(task_id).model_copy(update=DONE)))
        assert script.paths.handoff(task_id).is_file()  # on disk when the call returns, in both modes
    disk = FailingDisk(1, errno.EROFS, "handoffs")
    disk.install(monkeypatch)
    script.store.start(ids[4])
    with pytest.raises(OSError):
        await recorder.save_handoff(HandoffFile.of(script.store.get(ids[4]).model_copy(update=DONE)))
    assert not script.paths.handoff(ids[4]).exists()
    recorder.close()


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


class PromptRecorder:
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
    backend = PromptRecorder()
    result = await run(project, backend, resume=True)
    assert result.exit_code == 0, result.message
    (prompt,) = backend.prompts
    assert "resumed" in prompt and all(task_id in prompt for task_id in ids.values())
    final = read_queue_file(paths.queue)
    keys = [(t.type, json.dumps(t.inputs, sort_keys=True)) for t in final.tasks]
    assert len(keys) == len(set(keys))
    assert [r for r in read_audit(paths.audit) if r.event == "resume"]
