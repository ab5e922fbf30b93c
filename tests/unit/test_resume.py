"""--resume, previous runs, interrupts and crash leftovers, in process with injected states."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.clock import FrozenClock, SequentialIds
from tests.support.samples import copy_sample
from tests.support.scripted import HANDOFF
from wizard_tui.agents.base import AgentOutcome, AgentRequest
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain.events import EventBus
from wizard_tui.domain.models import Handoff, TaskError, TaskStatus
from wizard_tui.domain.persistence import RunPaths, iter_jsonl, read_audit, read_queue_file
from wizard_tui.domain.queue import QueueStore
from wizard_tui.domain.writers import JsonlAppender, atomic_write_bytes
from wizard_tui.engine.run import Run, RunConfig, RunResult


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_sample("express-server", tmp_path)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_under(root: Path) -> dict[str, str]:
    """Path -> sha256 of every file, without the lock file and the temp-file garbage a start removes."""
    return {
        p.relative_to(root).as_posix(): digest(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock" and not p.name.endswith(".tmp")
    }


async def run(project: Path, backend: Any = None, **config: Any) -> RunResult:
    return await Run(RunConfig(install_dir=project, stub=True, **config), backend or OfflineAgent()).execute()


def crashed_run(
    project: Path, *, attempts: int = 1, run_id: str = "20260101-120000-abcdef"
) -> tuple[RunPaths, dict[str, str]]:
    """The run dir as a SIGKILL leaves it: `a` done, `b` running, `c` waiting on `b`, leftovers around."""
    paths = RunPaths(project.resolve())
    paths.create()
    store = QueueStore(
        run_id=run_id, install_dir=paths.install_dir, clock=FrozenClock(step=1), ids=SequentialIds(), bus=EventBus()
    )
    store.set_orchestrator("running")
    ids: dict[str, str] = {}
    for key, task_type, deps in (("a", "install", []), ("b", "init", []), ("c", "identify", ["a", "b"])):
        ids[key] = store.enqueue(
            task_type=task_type,
            label=key,
            inputs={"key": key},
            depends_on=[ids[d] for d in deps],
            reason="r",
            model=None,
            enqueued_by="orchestrator",
            depth=0,
        ).id
    store.set_orchestrator("done")
    store.start(ids["a"])
    store.complete(ids["a"], TaskStatus.DONE, Handoff.model_validate(HANDOFF))
    for _ in range(attempts):
        if store.get(ids["b"]).status == TaskStatus.RUNNING:
            store.requeue(ids["b"], TaskError(kind="no-report", message="the agent ended without reporting"))
        store.start(ids["b"])
    paths.queue.write_bytes(store.render())
    for key in ("a", "b"):
        paths.marker(ids[key]).write_text(f"marker {key}\n")
    paths.handoff(ids["a"]).write_text("{}\n")
    # `b` reported just before the kill: its handoff file exists, the queue does not know yet.
    paths.handoff(ids["b"]).write_text("{}\n")
    # A follow-up that ran and wrote its marker before the queue file ever named it.
    paths.marker("t-ghost").write_text("orphan\n")
    (paths.markers / ".t-002.txt.x1y2.tmp").write_text("half")
    (paths.root / ".queue.json.zz.tmp").write_text("{")
    with paths.audit.open("w") as handle:
        handle.write(json.dumps({"ts": "2026-01-01T12:00:00Z", "run_id": run_id, "event": "start"}) + "\n")
        handle.write('{"ts": "2026-01-01T12:00:01Z", "run_id": "')  # torn by the kill
    return paths, ids


async def test_resume_resets_the_running_task_sets_leftovers_aside_and_finishes(project: Path) -> None:
    paths, ids = crashed_run(project)
    result = await run(project, resume=True)
    print(
        "DBG",
        [(t.id, t.status, t.attempts, t.error) for t in read_queue_file(paths.queue).tasks],
        paths.audit.read_text()[-1500:],
    )
    assert result.exit_code == 0, result.message
    queue = read_queue_file(paths.queue)
    assert queue.finished and queue.run_id == "20260101-120000-abcdef"
    tasks = {t.id: t for t in queue.tasks}
    assert all(t.status == TaskStatus.DONE for t in tasks.values())
    # The attempt the kill cut short was not the agent's: it is given back, so b ran once more as attempt 1.
    assert tasks[ids["a"]].attempts == 1 and tasks[ids["b"]].attempts == 1 and tasks[ids["c"]].attempts == 1

    audit = read_audit(paths.audit)
    resets = [r for r in audit if r.event == "reset"]
    assert [(r.task_id, (r.model_extra or {}).get("to")) for r in resets] == [(ids["b"], "pending")]
    (resume,) = [r for r in audit if r.event == "resume"]
    assert (resume.model_extra or {})["set_aside"] == ["markers/t-ghost.txt", f"handoffs/{ids['b']}.json"]
    # The torn line is skipped and the next record did not glue onto it.
    assert sum(1 for r in iter_jsonl(paths.audit) if r.get("event") == "resume") == 1

    # One marker and one handoff per task, the leftovers kept aside, no temp file anywhere.
    assert sorted(p.stem for p in paths.markers.iterdir()) == sorted(ids.values())
    assert sorted(p.stem for p in paths.handoffs.iterdir()) == sorted(ids.values())
    assert (paths.orphans / "markers" / "t-ghost.txt").read_text() == "orphan\n"
    assert json.loads(paths.handoff(ids["b"]).read_text())["task_id"] == ids["b"]
    assert not list(paths.root.rglob("*.tmp"))


async def test_a_task_killed_on_its_last_attempt_is_not_failed_and_its_dependents_run(project: Path) -> None:
    """Kills are not the agent's failures: a task whose attempts were all used by kills still runs."""
    paths, ids = crashed_run(project, attempts=2)
    result = await run(project, resume=True)
    assert result.exit_code == 0, result.message
    tasks = {t.id: t for t in read_queue_file(paths.queue).tasks}
    assert tasks[ids["b"]].status == TaskStatus.DONE and tasks[ids["b"]].attempts == 2
    assert tasks[ids["c"]].status == TaskStatus.DONE
    resets = [r for r in read_audit(paths.audit) if r.event == "reset"]
    assert [(r.task_id, (r.model_extra or {}).get("to")) for r in resets] == [(ids["b"], "pending")]


def _valid(project: Path) -> dict[str, Any]:
    paths, _ = crashed_run(project)
    return json.loads(paths.queue.read_text())


CORRUPTIONS: dict[str, Callable[[dict[str, Any], Path], bytes]] = {
    "torn": lambda q, _: json.dumps(q).encode()[:300],
    "empty": lambda q, _: b"",
    "not-utf8": lambda q, _: b"\xff\xfe{" + json.dumps(q).encode(),
    "a-list": lambda q, _: b"[]",
    "version": lambda q, _: json.dumps({**q, "version": 99}).encode(),
    "run-id-escape": lambda q, _: json.dumps({**q, "run_id": "../../evil"}).encode(),
    "task-id-escape": lambda q, _: json.dumps({**q, "tasks": [{**q["tasks"][0], "id": "../../x"}]}).encode(),
    "unknown-dep": lambda q, _: json.dumps({**q, "tasks": q["tasks"][2:]}).encode(),
    "duplicate-id": lambda q, _: json.dumps({**q, "tasks": [q["tasks"][0], q["tasks"][0]]}).encode(),
    "bad-status": lambda q, _: json.dumps({**q, "tasks": [{**q["tasks"][0], "status": "exploded"}]}).encode(),
    "foreign": lambda q, p: json.dumps({**q, "install_dir": str(p.parent / "someone-else")}).encode(),
    "nul-dir": lambda q, _: json.dumps({**q, "install_dir": "/tmp/\x00x"}).encode(),
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
async def test_a_corrupt_or_foreign_queue_is_exit_2_and_left_as_it_is(project: Path, kind: str) -> None:
    raw = CORRUPTIONS[kind](_valid(project), project)
    queue_file = project / ".posthog-wizard" / "queue.json"
    queue_file.write_bytes(raw)
    before = files_under(project / ".posthog-wizard")
    assert digest(queue_file) == before["queue.json"]
    result = await run(project, resume=True)
    assert result.exit_code == 2 and result.verdict is None
    assert result.message.startswith("cannot resume") and "--fresh" in result.message, result.message
    assert "\n" not in result.message and "\x00" not in result.message
    assert files_under(project / ".posthog-wizard") == before
    # A plain run refuses too, and says how to go on.
    plain = await run(project)
    assert plain.exit_code == 2 and "--fresh" in plain.message
    assert files_under(project / ".posthog-wizard") == before


@pytest.mark.parametrize("raw", [b"garbage{", b'{"version": 1}', b"\xff" * 64])
async def test_a_damaged_proposals_file_is_exit_2_not_a_resume_that_loses_the_changes(
    project: Path, raw: bytes
) -> None:
    assert (await run(project)).exit_code == 0
    queue_file = project / ".posthog-wizard" / "queue.json"
    queue = json.loads(queue_file.read_text())
    queue["finished"] = False
    queue_file.write_text(json.dumps(queue))
    (project / ".posthog-wizard" / "proposals.json").write_bytes(raw)
    before = files_under(project / ".posthog-wizard")
    result = await run(project, resume=True)
    assert result.exit_code == 2 and result.verdict is None
    assert result.message.startswith("cannot resume: ") and "proposals.json cannot be read" in result.message
    assert "--fresh" in result.message and "\n" not in result.message
    assert files_under(project / ".posthog-wizard") == before


async def test_fresh_keeps_a_corrupt_queue_under_previous(project: Path) -> None:
    queue_file = project / ".posthog-wizard" / "queue.json"
    queue_file.parent.mkdir()
    queue_file.write_bytes(b"{not json")
    result = await run(project, fresh=True)
    assert result.exit_code == 0
    (kept,) = (project / ".posthog-wizard" / "previous").glob("unreadable-*/queue.json")
    assert kept.read_bytes() == b"{not json"


async def test_resume_needs_an_unfinished_run(project: Path) -> None:
    nothing = await run(project, resume=True)
    assert nothing.exit_code == 2 and "no run to resume" in nothing.message
    assert (await run(project)).exit_code == 0
    finished = await run(project, resume=True)
    assert finished.exit_code == 2 and "already finished" in finished.message


async def test_a_finished_run_is_moved_to_previous_byte_for_byte(project: Path) -> None:
    first = await run(project)
    run_dir = project / ".posthog-wizard"
    before = files_under(run_dir)
    second = await run(project)
    assert first.exit_code == second.exit_code == 0
    archived = files_under(run_dir / "previous" / str(first.run_id))
    assert archived == {k: v for k, v in before.items() if k != ".gitignore"}
    assert sorted(p.name for p in (run_dir / "previous").iterdir()) == [first.run_id]


async def test_an_unfinished_run_stops_a_plain_run_and_fresh_keeps_it(project: Path) -> None:
    paths, _ = crashed_run(project)
    before = files_under(paths.root)
    plain = await run(project)
    assert plain.exit_code == 2
    assert "unfinished run (20260101-120000-abcdef)" in plain.message
    assert "--resume" in plain.message and "--fresh" in plain.message
    assert files_under(paths.root) == before
    fresh = await run(project, fresh=True)
    assert fresh.exit_code == 0 and fresh.run_id != "20260101-120000-abcdef"
    kept = paths.previous / "20260101-120000-abcdef"
    assert digest(kept / "queue.json") == before["queue.json"]
    assert (kept / "markers" / "t-ghost.txt").is_file()


async def test_a_start_after_a_kill_mid_archive_finishes_the_move_into_the_same_folder(project: Path) -> None:
    first = await run(project)
    paths = RunPaths(project.resolve())
    target = paths.previous / str(first.run_id)
    target.mkdir(parents=True)
    os.replace(paths.audit, target / "audit.jsonl")  # moved before the kill; queue.json was not
    assert (await run(project)).exit_code == 0
    assert sorted(p.name for p in paths.previous.iterdir()) == [first.run_id]
    assert {"audit.jsonl", "queue.json", "markers", "handoffs"} <= {p.name for p in target.iterdir()}


class Gate:
    """A backend that runs the offline agent but lets a test act at a chosen tool call or task start."""

    def __init__(self, on_call: Callable[[str, str, Any], Awaitable[None]] | None = None, hang_type: str | None = None):
        self.inner = OfflineAgent()
        self.name, self.default_model = self.inner.name, self.inner.default_model
        self.on_call = on_call
        self.hang_type = hang_type
        self.hanging = asyncio.Event()

    async def run(self, request: AgentRequest) -> AgentOutcome:
        if request.task is not None and request.task.type == self.hang_type:
            await request.tools.call("write_marker", {})
            self.hanging.set()
            await asyncio.Event().wait()  # until cancelled
        if self.on_call is not None:
            request.tools = _Tap(request.tools, request.agent.kind, self.on_call)  # type: ignore[assignment]
        return await self.inner.run(request)


class _Tap:
    def __init__(self, box: Any, who: str, on_call: Callable[[str, str, Any], Awaitable[None]]) -> None:
        self.box, self.who, self.on_call, self.names = box, who, on_call, box.names

    async def call(self, name: str, args: Any) -> Any:
        result = await self.box.call(name, args)
        await self.on_call(self.who, name, result)
        return result


async def test_an_interrupt_records_the_running_task_and_resume_finishes_it(project: Path) -> None:
    gate = Gate(hang_type="identify")
    handle = asyncio.ensure_future(Run(RunConfig(install_dir=project, stub=True), gate).execute())
    await asyncio.wait_for(gate.hanging.wait(), 30)
    handle.cancel()
    result = await handle
    assert result.exit_code == 130 and "--resume" in result.message
    paths = RunPaths(project.resolve())
    queue = read_queue_file(paths.queue)
    assert not queue.finished
    (hung,) = [t for t in queue.tasks if t.type == "identify"]
    assert hung.status == TaskStatus.RUNNING and hung.error.kind == "interrupted" and hung.attempts == 0  # type: ignore[union-attr]
    events = [r.event for r in read_audit(paths.audit)]
    assert "interrupt" in events and events[-1] in ("flush", "interrupted")

    resumed = await run(project, resume=True)
    assert resumed.exit_code == 0, resumed.message
    queue = read_queue_file(paths.queue)
    assert all(t.status == TaskStatus.DONE for t in queue.tasks)
    assert {t.id for t in queue.tasks} == {p.stem for p in paths.markers.iterdir()}
    assert [t.attempts for t in queue.tasks if t.type == "identify"] == [1]


def graph(project: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    queue = read_queue_file(project / ".posthog-wizard" / "queue.json")
    by_id = {t.id: t for t in queue.tasks}
    return sorted(
        (t.type, json.dumps(t.inputs, sort_keys=True), tuple(sorted(by_id[d].type for d in t.depends_on)))
        for t in queue.tasks
    )


@pytest.mark.parametrize("stop_after", [1, 3, 5])
async def test_an_orchestrator_interrupted_mid_seeding_resumes_into_the_same_graph(
    tmp_path: Path, stop_after: int
) -> None:
    reference = copy_sample("nextjs-app-router", tmp_path / "ref")
    assert (await run(reference)).exit_code == 0
    project = copy_sample("nextjs-app-router", tmp_path / "cut")
    enqueued = 0
    handle: asyncio.Future[RunResult] | None = None

    async def on_call(who: str, name: str, result: Any) -> None:
        nonlocal enqueued
        if who == "orchestrator" and name == "enqueue_task" and not result.is_error:
            enqueued += 1
            if enqueued == stop_after:
                assert handle is not None
                handle.cancel()
                await asyncio.Event().wait()  # the run's cancel handling cancels this agent here

    handle = asyncio.ensure_future(Run(RunConfig(install_dir=project, stub=True), Gate(on_call)).execute())
    assert (await handle).exit_code == 130
    cut = read_queue_file(project / ".posthog-wizard" / "queue.json")
    assert cut.orchestrator.status == "interrupted" and sum(not t.dynamic for t in cut.tasks) == stop_after

    assert (await run(project, resume=True)).exit_code == 0
    assert graph(project) == graph(reference)
    keys = [(t, i) for t, i, _ in graph(project)]
    assert len(keys) == len(set(keys)), "a task was enqueued twice"
    guards = [r for r in read_audit(project / ".posthog-wizard" / "audit.jsonl") if r.event == "guard"]
    assert {(r.model_extra or {})["guard"] for r in guards} == {"dedup"}


async def test_temp_files_of_a_killed_writer_are_removed_on_the_next_start(project: Path) -> None:
    paths = RunPaths(project.resolve())
    paths.create()
    leftovers = [
        paths.root / ".queue.json.k1.tmp",
        paths.handoffs / ".t-1.json.k2.tmp",
        paths.markers / ".t-1.txt.k3.tmp",
    ]
    for leftover in leftovers:
        leftover.write_text("{")
    assert (await run(project)).exit_code == 0
    assert not any(p.exists() for p in leftovers)
    assert not list(paths.root.rglob("*.tmp"))


def test_an_atomic_write_that_fails_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "queue.json"
    target.write_text("old")

    def boom(src: str, dst: str, **dir_fds: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["queue.json"]


def test_appending_after_a_torn_line_starts_a_new_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text('{"event": "a"}\n{"event": "tor')
    out = JsonlAppender(path)
    out.append({"event": "b"})
    out.close()
    assert [r["event"] for r in iter_jsonl(path)] == ["a", "b"]
    fresh = JsonlAppender(tmp_path / "new.jsonl")
    fresh.append({"event": "c"})
    fresh.close()
    assert (tmp_path / "new.jsonl").read_text() == '{"event":"c"}\n'


async def test_a_second_process_on_the_same_run_dir_is_refused(project: Path) -> None:
    holder = Run(RunConfig(install_dir=project, stub=True), OfflineAgent())
    holder.prepare()
    try:
        second = await run(project, fresh=True)
        assert second.exit_code == 2 and "another wizard-tui is running" in second.message
    finally:
        holder.release()
    assert (await run(project, fresh=True)).exit_code == 0


@pytest.mark.parametrize("link", [".posthog-wizard", ".posthog-wizard/markers", ".posthog-wizard/audit.jsonl"])
async def test_links_in_the_run_dir_are_refused_and_nothing_is_written_through_them(
    project: Path, tmp_path: Path, link: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine\n")
    if link != ".posthog-wizard":
        (project / ".posthog-wizard").mkdir()
    (project / link).symlink_to(elsewhere, target_is_directory=True)
    for resume in (False, True):
        result = await run(project, resume=resume, fresh=not resume)
        assert result.exit_code == 2 and "link" in result.message
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]


async def test_resume_rewrites_a_handoff_file_lost_to_a_kill(tmp_path: Path) -> None:
    """queue.json recorded the report, the kill came before its handoff file: resume writes it."""
    project = tmp_path / "lost-handoff"
    project.mkdir()
    (project / "index.js").write_text("console.log(1)\n")
    first = await Run(RunConfig(install_dir=project, stub=True), OfflineAgent()).execute()
    assert first.exit_code == 0
    run_dir = project / ".posthog-wizard"
    queue = read_queue_file(run_dir / "queue.json")
    done, unfinished = queue.tasks[0], queue.tasks[-1]
    (run_dir / "handoffs" / f"{done.id}.json").unlink()
    unfinished.status, unfinished.handoff, unfinished.finished_at = TaskStatus.RUNNING, None, None
    (run_dir / "handoffs" / f"{unfinished.id}.json").unlink()
    queue.finished = False
    (run_dir / "queue.json").write_text(queue.model_dump_json())
    resumed = await Run(RunConfig(install_dir=project, stub=True, resume=True), OfflineAgent()).execute()
    assert resumed.exit_code == 0, resumed.message
    assert {p.stem for p in (run_dir / "handoffs").iterdir()} == {t.id for t in queue.tasks}
