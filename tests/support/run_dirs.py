"""Run dirs written from scripted transitions, the way a run writes them.

The real `QueueStore` applies each transition with a frozen clock and sequential ids, and
the run's own `Recorder` and telemetry subscriber write them, so the files are exactly a
run's files, byte for byte the same on every machine.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.clock import FrozenClock, SequentialIds
from wizard_tui.domain.events import AGENT_ENDED, API_RETRY, RUN_FINISHED, RUN_STARTED, EventBus
from wizard_tui.domain.metrics import RunMetrics
from wizard_tui.domain.models import Handoff, TaskError, TaskStatus
from wizard_tui.domain.nofollow import make_dirs
from wizard_tui.domain.patch import FileChange, unified_patch
from wizard_tui.domain.persistence import RunPaths
from wizard_tui.domain.queue import QueueStore
from wizard_tui.domain.writers import atomic_write_bytes, atomic_write_model
from wizard_tui.engine.recorder import Recorder
from wizard_tui.telemetry.emitter import JsonlSink, Telemetry

INSTALL_DIR = "/home/dev/acme-shop"
RUN_ID = "20260101-120000-abc123"
START = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


class ScriptedRun:
    """A run dir driven by hand: each call is one transition, written like a run writes it."""

    def __init__(self, install_dir: Path, *, run_id: str = RUN_ID) -> None:
        self.paths = RunPaths(install_dir)
        self.paths.create()
        self.clock = FrozenClock(START)
        self.bus = EventBus()
        self.store = QueueStore(
            run_id=run_id, install_dir=Path(INSTALL_DIR), clock=self.clock, ids=SequentialIds(), bus=self.bus
        )
        self.store.framework = "nextjs"
        self.store.backend = "offline"
        self.store.model = "offline"
        # Handoff files are written at once, so a test sees them as soon as a task reports.
        self.recorder = Recorder(self.paths, self.store, background=False)
        self.telemetry = Telemetry(run_id, self.clock, self.bus, [JsonlSink(self.paths.telemetry)])
        self.bus.subscribe(self.recorder)
        self.bus.subscribe(self.telemetry.observe)
        self.proposed: list[FileChange] = []

    def fact(self, event: str, **extra: Any) -> None:
        """A fact that changes no task (the run starting or finishing, an agent ending)."""
        self.store.audit(event, **extra)

    def end(self, *, ok: bool, **figures: int) -> None:
        """The run-finish fact with these figures (every other one 0), then the queue marked finished."""
        metrics = dict.fromkeys(RunMetrics.model_fields, 0) | figures
        self.fact(RUN_FINISHED, **metrics, **FINISHED_FLAGS, ok=ok)
        self.store.mark_finished()

    def api_wait(self, agent_id: str, task_type: str, wait_s: float, *, attempt: int = 1, cause: str = "") -> None:
        """An agent about to wait `wait_s` before retrying the model API (the `api-retry` fact)."""
        self.fact(
            API_RETRY,
            agent_id=agent_id,
            task_type=task_type,
            attempt=attempt,
            max_retries=6,
            wait_s=wait_s,
            cause=cause or "529 overloaded_error: Overloaded",
        )

    def write(self) -> None:
        """queue.json, atomically, as the run's coalescing writer would leave it."""
        atomic_write_model(self.paths.queue, self.store.snapshot())

    def close(self) -> None:
        self.write()
        self.recorder.close()
        self.telemetry.close()

    # -- transitions -------------------------------------------------------------------------

    def later(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def enqueue(self, task_type: str, label: str, deps: list[str] | None = None, by: str = "orchestrator") -> str:
        depth = 0 if by == "orchestrator" else self.store.tasks[by].depth + 1
        task = self.store.enqueue(
            task_type=task_type,
            label=label,
            inputs={"framework": "nextjs"} if by == "orchestrator" else {"area": label.lower()},
            depends_on=deps or [],
            reason=f"The plan needs {task_type}.",
            model=None,
            enqueued_by=by,
            depth=depth,
        )
        return task.id

    def start(self, task_id: str) -> None:
        self.later(0.25)
        self.store.start(task_id)

    def finish(self, task_id: str, status: TaskStatus = TaskStatus.DONE) -> None:
        self.later(0.5)
        task = self.store.tasks[task_id]
        self.fact(
            AGENT_ENDED,
            agent_id=task_id,
            task_type=task.type,
            model="offline",
            turns=3,
            input_tokens=0,
            output_tokens=0,
            cache_read_input_tokens=0,
            cache_creation_input_tokens=0,
            duration_ms=500,
            stop_reason="end_turn",
        )
        self.store.complete(
            task_id, status, handoff_for(task.type, task.label, task_id), model="offline", duration_ms=500
        )

    def fail(self, task_id: str, message: str) -> None:
        self.later(0.5)
        self.store.fail(task_id, TaskError(kind="reported-failed", message=message))

    def retry(self, task_id: str, message: str) -> None:
        self.later(0.5)
        self.store.requeue(task_id, TaskError(kind="no-report", message=message))

    def propose(self, task_id: str, changes: list[FileChange]) -> None:
        """The task's proposals as a run writes them when it commits them: `diffs/<task-id>.patch`."""
        self.proposed += changes
        make_dirs(self.paths.diffs, anchor=self.paths.install_dir)
        atomic_write_bytes(self.paths.task_diff(task_id), unified_patch(changes), fsync=False)

    def write_patch(self) -> None:
        """`changes.patch`, every proposal of the run, as it is written when the run finishes."""
        atomic_write_bytes(self.paths.changes_patch, unified_patch(self.proposed), fsync=False)

    def block_dependents(self, failed: str) -> list[str]:
        blocked = []
        changed = True
        while changed:
            changed = False
            for task in list(self.store.tasks.values()):
                if task.status != TaskStatus.PENDING:
                    continue
                stopped = (TaskStatus.FAILED, TaskStatus.BLOCKED)
                bad = [d for d in task.depends_on if self.store.tasks[d].status in stopped]
                if bad:
                    self.store.block(task.id, bad[0])
                    blocked.append(task.id)
                    changed = True
        return blocked


# The rest of `orchestrator run finished`: how the run ended and its (offline: zero) tokens and cost.
FINISHED_FLAGS: dict[str, Any] = {
    "interrupted": False,
    "total_input_tokens": 0,
    "total_output_tokens": 0,
    "total_cache_read_input_tokens": 0,
    "total_cache_creation_input_tokens": 0,
    "total_cost_usd": None,
    "usage_by_model": {},
}


def handoff_for(task_type: str, label: str, task_id: str) -> Handoff:
    return Handoff(
        goal=f"{label}: the {task_type} step of the integration.",
        did=f"Wrote the marker .posthog-wizard/markers/{task_id}.txt (stub body; no project file changed).",
        for_next_agent=f"The {task_type} step is a stub in this milestone.",
        files_touched=[f".posthog-wizard/markers/{task_id}.txt"],
        evidence="write_marker returned a path",
    )


def seed(run: ScriptedRun) -> dict[str, str]:
    """The seeded graph of SPEC §4: install and init, then identify, plan-capture -> capture, llm."""
    run.fact(RUN_STARTED, backend="offline", model="offline", concurrency=1, pipeline=True, resumed=False)
    run.store.set_orchestrator("running")
    run.later(1.0)
    ids = {"install": run.enqueue("install", "Install the PostHog SDKs")}
    ids["init"] = run.enqueue("init", "Initialise PostHog")
    ids["identify"] = run.enqueue("identify", "Identify users", [ids["install"], ids["init"]])
    ids["plan"] = run.enqueue("plan-capture", "Plan event capture", [ids["install"], ids["init"]])
    ids["capture"] = run.enqueue("capture", "Capture core events", [ids["plan"]])
    ids["llm"] = run.enqueue("llm-analytics", "Add LLM analytics", [ids["init"]])
    run.store.set_orchestrator("done", duration_ms=1000)
    return ids


def mid_run(root: Path) -> ScriptedRun:
    """Seeded, two tasks done, plan-capture done with two dynamic follow-ups, identify running."""
    run = ScriptedRun(root)
    ids = seed(run)
    for key in ("install", "init"):
        run.start(ids[key])
        run.finish(ids[key])
    run.start(ids["plan"])
    run.enqueue("capture", "Capture: signup [form] page", [ids["plan"]], by=ids["plan"])
    run.enqueue("capture", "Capture: chat route", [ids["plan"]], by=ids["plan"])
    run.finish(ids["plan"])
    run.start(ids["identify"])
    run.write()
    return run


def finished(root: Path) -> ScriptedRun:
    """Every task done, including two dynamic follow-ups."""
    run = ScriptedRun(root)
    ids = seed(run)
    for key in ("install", "init", "identify", "plan"):
        run.start(ids[key])
        if key == "plan":
            ids["c1"] = run.enqueue("capture", "Capture: signup page", [ids["plan"]], by=ids["plan"])
            ids["c2"] = run.enqueue("capture", "Capture: chat route", [ids["plan"]], by=ids["plan"])
        run.finish(ids[key])
    for key in ("capture", "llm", "c1", "c2"):
        run.start(ids[key])
        run.finish(ids[key])
    run.end(
        ok=True,
        tasks_total=8,
        tasks_done=8,
        total_duration_ms=6000,
        time_to_first_task_ms=250,
        time_to_first_completion_ms=750,
        max_gap_ms=500,
        dynamic_enqueue_count=2,
    )
    run.write()
    return run


PACKAGE_JSON = b'{\n  "name": "acme-shop",\n  "dependencies": {\n    "next": "15.0.0"\n  }\n}\n'
INSTRUMENTATION = (
    b'import posthog from "posthog-js";\n\n'
    b"posthog.init(process.env.NEXT_PUBLIC_POSTHOG_KEY!, {\n"
    b'  api_host: process.env.NEXT_PUBLIC_POSTHOG_HOST ?? "https://us.i.posthog.com",\n'
    b'  defaults: "2025-05-24",\n'
    b"});\n"
)


def finished_with_changes(root: Path) -> ScriptedRun:
    """`finished`, where install declared the SDK and init proposed a new file: both diffs and the patch."""
    run = finished(root)
    after = PACKAGE_JSON.replace(b'"next": "15.0.0"', b'"next": "15.0.0",\n    "posthog-js": "^1.260.0"')
    run.propose("t-001", [FileChange("package.json", PACKAGE_JSON, after, 0o644)])
    run.propose("t-002", [FileChange("instrumentation-client.ts", None, INSTRUMENTATION, 0o644)])
    run.write_patch()
    return run


def _init_fails_twice(run: ScriptedRun, retried: str, failed: str) -> dict[str, str]:
    """Seeded, install done, init retried once (`retried`) and then failed (`failed`)."""
    ids = seed(run)
    run.start(ids["install"])
    run.finish(ids["install"])
    run.start(ids["init"])
    run.retry(ids["init"], retried)
    run.start(ids["init"])
    run.fail(ids["init"], failed)
    return ids


def failed_and_blocked(root: Path) -> ScriptedRun:
    """init fails twice (one retry), so its dependents are blocked; install done, llm skipped first."""
    run = ScriptedRun(root)
    ids = _init_fails_twice(run, "the agent ended without calling complete_task", "could not find where the app starts")
    run.block_dependents(ids["init"])
    run.end(
        ok=False,
        tasks_total=6,
        tasks_done=1,
        tasks_failed=1,
        tasks_blocked=4,
        total_duration_ms=4000,
        time_to_first_task_ms=250,
        time_to_first_completion_ms=750,
        max_gap_ms=1500,
        retried_task_count=1,
    )
    run.write()
    return run


def long_log_lines(root: Path) -> ScriptedRun:
    """`failed_and_blocked` with entries longer than a small terminal: a retry and a failure with
    long messages, a guard trip and a wait on the model API, all before the run's end."""
    run = ScriptedRun(root)
    ids = _init_fails_twice(
        run,
        "the agent ended without calling complete_task after 14 turns and 12,345 tokens",
        "could not find where the app starts: no wsgi.py, asgi.py or manage.py under src/backend",
    )
    run.store.audit("guard", type="capture", guard="max-depth", message=GUARD_MESSAGE)
    run.api_wait("t-003", "identify", wait_s=20.0, attempt=2)
    run.block_dependents(ids["init"])
    run.end(ok=False, tasks_total=6, tasks_done=1, tasks_failed=1, tasks_blocked=4, total_duration_ms=4000)
    run.write()
    return run


GUARD_MESSAGE = "the queue is already 6 tasks deep under this task, and a follow-up would make it 7 (the limit is 6)"
