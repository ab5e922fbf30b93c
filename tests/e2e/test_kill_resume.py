"""Kill a real `wizard-tui --no-ui` process at random moments and resume it until it finishes.

After every SIGKILL, `queue.json` must parse and validate; at the end of each scenario every
task is done, each has exactly one marker and one handoff, no task is doubled, the graph
is the one an uninterrupted run builds, and no temp file is left. The moments are drawn
from a fixed seed, anchored on the run's own progress, so the test covers start-up,
seeding, running tasks and finishing without depending on the machine's speed.
"""

from __future__ import annotations

import asyncio
import random
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.crash import cli_env, duplicated, graph, wizard, wizard_run
from tests.support.samples import REPO, copy_sample
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain.models import QueueFile, TaskStatus
from wizard_tui.domain.persistence import QueueFileError, iter_jsonl, read_audit, read_queue_file
from wizard_tui.engine.run import Run, RunConfig

SEED = 20260601
SCENARIOS = 10
KILLS_PER_SCENARIO = 3
SAMPLE = "nextjs-app-router"
POLL_S = 0.01


def on_disk(project: Path) -> QueueFile | None:
    path = project / ".posthog-wizard" / "queue.json"
    return read_queue_file(path) if path.exists() else None


def ready_to_kill(project: Path, audit_offset: int) -> bool:
    """This process has started writing its audit lines.

    Any moment after that may be hit, including the same task twice in a row: a kill is not the
    agent's failure, so it never uses up the task's attempts.
    """
    audit = project / ".posthog-wizard" / "audit.jsonl"
    try:
        return audit.stat().st_size > audit_offset and on_disk(project) is not None
    except (OSError, QueueFileError):
        return False


def kill_at_random(
    proc: subprocess.Popen[str], project: Path, audit_offset: int, rng: random.Random, *, early_ok: bool
) -> bool:
    """SIGKILL `proc` at a random moment; False when it finished first.

    `early_ok` allows a kill during start-up, at a fixed delay; only when the process has no
    crashed task to reset, since on a fast machine that delay may already reach its tasks.
    """
    launched = time.monotonic()
    early = rng.random() < 0.2
    if early and early_ok:
        moment = launched + rng.uniform(0.05, 0.4)  # start-up: imports, archive, first writes
    else:
        while not ready_to_kill(project, audit_offset):
            if proc.poll() is not None:
                return False
            if time.monotonic() - launched > 60:
                raise AssertionError("the run never got going")
            time.sleep(POLL_S)
        moment = time.monotonic() + rng.uniform(0.0, 0.5)
    while time.monotonic() < moment:
        if proc.poll() is not None:
            return False
        time.sleep(POLL_S)
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return True


def audit_size(project: Path) -> int:
    audit = project / ".posthog-wizard" / "audit.jsonl"
    return audit.stat().st_size if audit.exists() else 0


def next_args(project: Path) -> list[str] | None:
    """What a user runs next: --resume an unfinished run, a plain run when none was recorded, nothing when done."""
    try:
        queue = on_disk(project)
    except QueueFileError as exc:  # pragma: no cover - the assertion the whole test exists for
        raise AssertionError(f"queue.json is torn or invalid after a kill: {exc}") from exc
    if queue is None:
        return [str(project), "--no-ui", "--stub", "--pace", "20"]
    if queue.finished:
        return None
    return [str(project), "--no-ui", "--stub", "--pace", "20", "--resume"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, tuple[str, ...]]]:
    project = copy_sample(SAMPLE, tmp_path_factory.mktemp("reference"))
    assert asyncio.run(Run(RunConfig(install_dir=project, stub=True), OfflineAgent()).execute()).exit_code == 0
    return graph(project)


def scenario(project: Path, rng: random.Random, reference: list[tuple[str, str, tuple[str, ...]]]) -> int:
    """Start a run, kill it up to KILLS_PER_SCENARIO times, resume until it finishes; the kills that landed."""
    kills = 0
    args = next_args(project)
    for _ in range(KILLS_PER_SCENARIO):
        assert args is not None
        queue = on_disk(project)
        early_ok = queue is None or not any(t.status == TaskStatus.RUNNING for t in queue.tasks)
        proc = wizard(*args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if kill_at_random(proc, project, audit_size(project), rng, early_ok=early_ok):
            kills += 1
        else:
            _, err = proc.communicate(timeout=30)
            assert proc.returncode == 0 and "Traceback" not in err, err
        args = next_args(project)  # also checks that queue.json parses and validates
        if args is None:
            break
    while args is not None:
        done = wizard_run(*args)
        assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])
        args = next_args(project)

    run_dir = project / ".posthog-wizard"
    queue = read_queue_file(run_dir / "queue.json")
    ids = {t.id for t in queue.tasks}
    assert queue.finished and all(t.status == TaskStatus.DONE for t in queue.tasks)
    assert {p.stem for p in (run_dir / "markers").iterdir()} == ids
    assert {p.stem for p in (run_dir / "handoffs").iterdir()} == ids
    assert duplicated(project) == []
    assert graph(project) == reference
    assert not list(run_dir.rglob("*.tmp"))
    # Every audit line after a torn one is intact: each task's start is on record.
    started = {r.task_id for r in read_audit(run_dir / "audit.jsonl") if r.event == "start"}
    assert ids <= started
    assert all(isinstance(r, dict) for r in iter_jsonl(run_dir / "telemetry.jsonl"))
    return kills


def test_sigkill_at_random_moments_then_resume(
    tmp_path: Path, reference: list[tuple[str, str, tuple[str, ...]]]
) -> None:
    # Two scenarios at a time: the runs mostly wait on their pace, and CI has two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(scenario, copy_sample(SAMPLE, tmp_path / f"s{n}"), random.Random(SEED + n), reference)
            for n in range(SCENARIOS)
        ]
        kills = sum(f.result() for f in futures)
    print(f"\n{kills} SIGKILLs over {SCENARIOS} scenarios")
    assert kills >= SCENARIOS * KILLS_PER_SCENARIO // 2, f"only {kills} kills landed; the runs ended first"


def wait_for(predicate: Callable[[], bool], proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 60
    while not predicate():
        assert proc.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(POLL_S)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_and_sigterm_stop_cleanly_and_resume(tmp_path: Path, sig: signal.Signals) -> None:
    project = copy_sample(SAMPLE, tmp_path)
    run_dir = project / ".posthog-wizard"
    # A turn of 500 ms: the signal, sent once a task's marker is on disk, lands before that task's
    # last turn ends even when this test is slow to see the marker.
    proc = wizard(str(project), "--no-ui", "--stub", "--pace", "500", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    running: list[str] = []

    def a_task_is_mid_run() -> bool:
        # Running on disk and its marker written: at least one paced turn is left before it reports.
        queue = on_disk(project)
        running[:] = [t.id for t in (queue.tasks if queue else []) if t.status == TaskStatus.RUNNING]
        return bool(running) and (run_dir / "markers" / f"{running[0]}.txt").exists()

    wait_for(a_task_is_mid_run, proc, "a task ran")
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err and err == "", err
    # The hint is a command that works as written, in the shell (and folder) that started the run.
    last = out.rstrip().splitlines()[-1]
    assert last.startswith("Interrupted. Continue with: "), out
    hint = shlex.split(last.removeprefix("Interrupted. Continue with: "))
    assert hint[-1] == "--resume" and "wizard_tui" in hint and str(project) in hint, hint

    queue = read_queue_file(run_dir / "queue.json")
    assert not queue.finished
    (hit,) = [t for t in queue.tasks if t.status == TaskStatus.RUNNING]
    # The task seen running, or, when it still finished first on a slow machine, the one after it.
    seen = next(t for t in queue.tasks if t.id == running[0])
    assert hit.id == seen.id or seen.status == TaskStatus.DONE, (running, hit.id)
    assert hit.error is not None and hit.error.kind == "interrupted" and hit.attempts == 0
    audit = read_audit(run_dir / "audit.jsonl")
    assert [r.task_id for r in audit if r.event == "interrupt"] == [hit.id]
    assert not list(run_dir.rglob("*.tmp"))

    plain = wizard_run(str(project), "--no-ui", "--stub")
    assert plain.returncode == 2 and "--resume" in plain.stderr and "--fresh" in plain.stderr

    hint[hint.index("--pace") + 1] = "20"  # the rest of the run need not crawl
    resumed = subprocess.run(hint, cwd=REPO, env=cli_env(), text=True, capture_output=True, timeout=120)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"reset       {hit.id}" in resumed.stdout
    queue = read_queue_file(run_dir / "queue.json")
    assert all(t.status == TaskStatus.DONE for t in queue.tasks)
    assert {p.stem for p in (run_dir / "markers").iterdir()} == {t.id for t in queue.tasks}
    assert next(t for t in queue.tasks if t.id == hit.id).attempts == 1
    assert duplicated(project) == []


def test_two_kills_in_the_same_task_do_not_fail_it_or_block_its_dependents(tmp_path: Path) -> None:
    project = copy_sample(SAMPLE, tmp_path)
    run_dir = project / ".posthog-wizard"
    target: list[str] = []
    offset = [0]

    def target_is_running() -> bool:
        """A task is running as queue.json on disk records it: the first kill's target."""
        queue = on_disk(project)
        running = [t.id for t in (queue.tasks if queue else []) if t.status == TaskStatus.RUNNING]
        target[:] = running[:1]
        return bool(target)

    def target_started_again() -> bool:
        """This process (the resumed one) wrote a `start` of the target task."""
        audit = run_dir / "audit.jsonl"
        try:
            with audit.open("rb") as handle:
                handle.seek(offset[0])
                fresh = handle.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return False
        starts = [line.split('"task_id":"')[1].split('"')[0] for line in fresh if '"event":"start"' in line]
        if target[0] not in starts:
            return False
        # And queue.json says so: a kill before that write would find it pending, not running.
        queue = on_disk(project)
        return any(t.id == target[0] and t.status == TaskStatus.RUNNING for t in (queue.tasks if queue else []))

    # Both killed processes go slowly (200 ms a turn), so the target runs long enough to be seen
    # running on a loaded machine; only the last, unkilled one goes fast.
    args = [str(project), "--no-ui", "--stub", "--pace", "200"]
    for kill in range(2):
        offset[0] = audit_size(project)
        proc = wizard(*args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for(target_is_running if kill == 0 else target_started_again, proc, f"the task to run (kill {kill + 1})")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        args = [str(project), "--no-ui", "--stub", "--pace", "200", "--resume"]
    done = wizard_run(str(project), "--no-ui", "--stub", "--pace", "20", "--resume")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    queue = read_queue_file(run_dir / "queue.json")
    hit = next(t for t in queue.tasks if t.id == target[0])
    assert hit.status == TaskStatus.DONE and hit.attempts == 1
    assert all(t.status == TaskStatus.DONE for t in queue.tasks)
    resets = [r.task_id for r in read_audit(run_dir / "audit.jsonl") if r.event == "reset"]
    assert resets.count(target[0]) == 2
