"""One wizard run, end to end: open the run dir, seed with the orchestrator, drain, finish.

`Run.execute()` never raises for a user's or an agent's mistake: it returns a
`RunResult` with an exit code (0 all done, 1 failed or blocked tasks, 2 bad input,
130 interrupted) and leaves every file flushed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from wizard_tui.agents.base import AgentBackend, AgentError, AgentOutcome, AgentRequest
from wizard_tui.domain import nofollow
from wizard_tui.domain.claude_models import at_or_below
from wizard_tui.domain.clock import Clock, IdFactory, SystemClock, random_ids
from wizard_tui.domain.events import Event, EventBus
from wizard_tui.domain.guards import Limits
from wizard_tui.domain.metrics import RunMetrics, compute_metrics
from wizard_tui.domain.models import AuditRecord, HandoffFile, QueueFile, Task, TaskError, TaskStatus
from wizard_tui.domain.persistence import (
    CoalescingWriter,
    JsonlAppender,
    QueueFileError,
    RunLock,
    RunLockedError,
    RunPaths,
    atomic_write_model,
    read_audit,
    read_queue_file,
)
from wizard_tui.domain.printable import path_text, printable
from wizard_tui.domain.prompts import PromptLibrary, load_prompts
from wizard_tui.domain.queue import QueueStore, Verdict, join_chunks, verdict
from wizard_tui.domain.resolver import ResolvedAgent, resolve_orchestrator, resolve_task
from wizard_tui.domain.settings import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, USAGE_KEYS
from wizard_tui.engine.executor import Executor, FatalAgentError
from wizard_tui.engine.rundir import (
    RunSetupError,
    archive_previous,
    check_install_dir,
    new_run_id,
    refuse_links,
    same_dir,
    set_aside_orphans,
)
from wizard_tui.engine.tools import RunServices, ToolContext, build_toolbox
from wizard_tui.telemetry.emitter import JsonlSink, Sink, Telemetry

log = logging.getLogger(__name__)


def tune_gc() -> None:
    """Collector settings for a run: tune once, before the run starts.

    Everything imported so far (pydantic schemas, the SDKs) lives for the whole process, so it
    is frozen out of the collector's scans; a run allocates many short-lived records, so the
    youngest generation is collected less often. Measured by bench/bench_machinery.py.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


class RunConfig(BaseModel):
    """What the command line decided."""

    install_dir: Path
    agent: Literal["offline", "anthropic"] = "offline"
    model: str | None = None
    concurrency: int = Field(default=1, ge=1, le=32)
    pipeline: bool = True
    max_tasks: int = Field(default=30, ge=1)
    max_starts: int = Field(default=200, ge=1)
    resume: bool = False
    fresh: bool = False
    pace_ms: int = Field(default=0, ge=0)
    agent_timeout_s: float = Field(default=300.0, gt=0)
    stub: bool = False  # --stub: every task runs the stub body (the walking skeleton)


@dataclass
class RunResult:
    exit_code: int
    verdict: Verdict | None
    metrics: RunMetrics | None
    run_id: str | None
    message: str
    usage: dict[str, int] = field(default_factory=dict)


class Run:
    """Wires the store, persistence, telemetry, orchestrator and executor for one run."""

    def __init__(
        self,
        config: RunConfig,
        backend: AgentBackend,
        *,
        bus: EventBus | None = None,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        prompts: PromptLibrary | None = None,
        sinks: list[Sink] | None = None,
        run_id: str | None = None,
    ) -> None:
        self.config = config
        self.backend = backend
        self.bus = bus or EventBus()
        self.clock = clock or SystemClock()
        self.ids = ids or random_ids
        self.prompts = prompts
        self.extra_sinks = list(sinks or [])
        self.run_id = run_id
        self.store: QueueStore | None = None
        # Every total is present from the start, so `orchestrator run finished` always has the same shape.
        self.usage: dict[str, int] = dict.fromkeys(USAGE_KEYS, 0)
        self.agents_run = 0
        self.writer: CoalescingWriter | None = None
        self._side_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wizard-handoffs")
        self.orphans: list[str] = []
        self._lock: RunLock | None = None
        self._prepared: tuple[RunPaths, QueueStore] | None = None

    # -- set-up ------------------------------------------------------------------------------

    def prepare(self) -> tuple[RunPaths, QueueStore]:
        """Validate input, lock and open the run dir; raises RunSetupError with a sentence.

        Synchronous, and done before anything of the new run is written: an earlier run is
        archived here, so whoever watches the run dir after this call sees only this run.
        On success the run dir's lock is held until `release()` (which `execute()` calls).
        """
        install_dir = check_install_dir(self.config.install_dir)
        library = self.prompts or load_prompts()
        self.prompts = library
        paths = RunPaths(install_dir)
        shown = printable(paths.root)
        if paths.root.is_symlink():
            raise RunSetupError(
                f"{shown} is a symlink; the wizard writes only into a real folder. Remove the link and run again."
            )
        if paths.root.exists() and not paths.root.is_dir():
            raise RunSetupError(f"{shown} exists and is not a folder; move it away and run again.")
        lock = RunLock(paths.lock)
        try:
            nofollow.make_dirs(paths.root, anchor=install_dir)
            lock.acquire()
        except RunLockedError as exc:
            raise RunSetupError(f"{exc}; wait for it to end or stop it, then run again.") from exc
        except nofollow.LinkRefusedError as exc:
            raise RunSetupError(
                f"{printable(exc.strerror)}; the wizard writes only real files in its run dir. Remove it and run again."
            ) from exc
        except OSError as exc:
            raise RunSetupError(f"cannot open {shown} ({exc.strerror}); is the folder writable?") from exc
        try:
            refuse_links(paths)
            # Before anything is archived: half-written temp files are garbage, not a run's files.
            paths.remove_stale_temp_files()
            store = self._open_resumed(paths, install_dir) if self.config.resume else self._open_new(paths, install_dir)
        except BaseException:
            lock.release()
            raise
        self._lock = lock
        self._prepared = (paths, store)
        return paths, store

    def release(self) -> None:
        """Let go of the run dir's lock (the OS also drops it if the process dies)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _create(self, paths: RunPaths) -> None:
        try:
            paths.create()
        except OSError as exc:
            raise RunSetupError(f"cannot create {paths.root} ({exc.strerror}); is the folder writable?") from exc

    def _open_resumed(self, paths: RunPaths, install_dir: Path) -> QueueStore:
        if not paths.queue.exists():
            raise RunSetupError(f"there is no run to resume in {paths.root}; run without --resume.")
        try:
            queue = read_queue_file(paths.queue)
        except QueueFileError as exc:
            raise RunSetupError(
                f"cannot resume: {exc}. The file was left as it is; start over with --fresh "
                "(the old run is kept under previous/)."
            ) from exc
        if not same_dir(queue.install_dir, install_dir):
            raise RunSetupError(
                f"cannot resume: {paths.queue} belongs to a run in {queue.install_dir[:200]!r}, not {install_dir}. "
                "The file was left as it is; start over with --fresh."
            )
        if queue.finished:
            raise RunSetupError(
                f"the run {queue.run_id} in {paths.root} already finished; start a new one without --resume."
            )
        self._create(paths)
        try:
            self.orphans = set_aside_orphans(paths, queue)
        except OSError as exc:
            raise RunSetupError(f"cannot tidy {paths.root} ({exc.strerror}); is the folder writable?") from exc
        store = QueueStore.from_file(queue, clock=self.clock, ids=self.ids, bus=self.bus)
        store.install_dir = install_dir
        self.run_id = queue.run_id
        return store

    def _open_new(self, paths: RunPaths, install_dir: Path) -> QueueStore:
        if paths.queue.exists():
            try:
                previous: QueueFile | None = read_queue_file(paths.queue)
                problem = ""
            except QueueFileError as exc:
                previous, problem = None, str(exc)
            if previous is not None and not previous.finished and not self.config.fresh:
                raise RunSetupError(
                    f"an unfinished run ({previous.run_id}) is in {paths.root}; "
                    "continue it with --resume, or start over with --fresh (the old run is kept under previous/)."
                )
            if previous is None and not self.config.fresh:
                raise RunSetupError(f"{problem}; start over with --fresh (the file is kept under previous/).")
            archive = previous.run_id if previous else f"unreadable-{new_run_id(self.clock)}"
        else:
            archive = f"partial-{new_run_id(self.clock)}"
        try:
            archive_previous(paths, archive)
        except OSError as exc:
            raise RunSetupError(
                f"cannot move the previous run aside ({exc.strerror}); is {paths.root} writable?"
            ) from exc
        self._create(paths)
        self.run_id = self.run_id or new_run_id(self.clock)
        return QueueStore(run_id=self.run_id, install_dir=install_dir, clock=self.clock, ids=self.ids, bus=self.bus)

    # -- the run -----------------------------------------------------------------------------

    async def execute(self) -> RunResult:
        """The whole run; `prepare()` first unless the caller already did (the TUI does)."""
        if self._prepared is None:
            try:
                self.prepare()
            except RunSetupError as exc:
                return RunResult(EXIT_USAGE, None, None, self.run_id, str(exc))
        assert self._prepared is not None
        paths, store = self._prepared
        try:
            return await self._execute(paths, store)
        finally:
            self.release()

    async def _execute(self, paths: RunPaths, store: QueueStore) -> RunResult:
        self.store = store
        assert self.prompts is not None
        library = self.prompts
        started_at = self.clock.now()
        started_mono = self.clock.monotonic()
        store.backend = self.backend.name
        store.model = self.config.model or self.backend.default_model

        writer = CoalescingWriter(store.render_chunks, paths.queue, join=join_chunks)
        self.writer = writer
        # On disk from the first moment, so a kill at any point leaves a run that --resume knows.
        writer.flush_sync()
        audit_out = JsonlAppender(paths.audit)
        store.on_change(writer.request)
        unsubscribe = self.bus.subscribe(lambda ev: self._record(ev, audit_out, paths))
        telemetry = Telemetry(store.run_id, self.clock, self.bus, [JsonlSink(paths.telemetry), *self.extra_sinks])
        limits = Limits(max_tasks=self.config.max_tasks, max_starts=self.config.max_starts)
        # A task's model may be lowered below the run's model, never raised above it.
        valid_models = set(at_or_below(store.model))
        services = RunServices(
            install_dir=store.install_dir,
            paths=paths,
            store=store,
            library=library,
            limits=limits,
            valid_models=valid_models,
            telemetry=telemetry,
            started_mono=started_mono,
        )
        if self.config.resume:
            for task in list(store.tasks.values()):
                if task.status == TaskStatus.RUNNING:
                    store.reset_for_resume(task.id)
                elif task.status.terminal and task.handoff is not None and not paths.handoff(task.id).exists():
                    # Killed after queue.json recorded the report but before its file was written.
                    atomic_write_model(paths.handoff(task.id), HandoffFile.of(task), fsync=False)
            # Proposals of attempts that never finished are dropped; a retry starts clean.
            dropped = services.proposals.load(store.tasks)
            store.audit("resume", set_aside=self.orphans, proposals_dropped=dropped)
        executor = Executor(
            services,
            self.backend,
            lambda task: self._pinned(
                resolve_task(
                    task,
                    library,
                    store.tasks,
                    forced_model=self.config.model,
                    default_model=self.backend.default_model,
                    stub=self.config.stub,
                )
            ),
            concurrency=self.config.concurrency,
            agent_timeout_s=self.config.agent_timeout_s,
            on_agent_done=lambda agent, task, outcome, ms: self._agent_done(telemetry, agent, outcome, ms),
        )
        if self.config.resume:
            # The start backstop is per run, not per process: resuming a runaway must not refill it.
            executor.stats.starts = sum(t.attempts for t in store.tasks.values())
        telemetry.emit(
            "orchestrator started",
            backend=self.backend.name,
            model=store.model,
            concurrency=self.config.concurrency,
            pipeline=self.config.pipeline,
            resumed=self.config.resume,
        )
        seeding_done = asyncio.Event()
        exit_code = EXIT_OK
        message = ""
        interrupted = False
        try:
            if store.orchestrator.status == "done":
                seeding_done.set()
                orchestrator = None
            else:
                orchestrator = asyncio.create_task(self._seed(services, seeding_done, started_mono))
            if self.config.pipeline or orchestrator is None:
                await executor.drain(seeding_done)
                if orchestrator is not None:
                    await orchestrator
            else:
                await orchestrator
                await executor.drain(seeding_done)
            if orchestrator is not None and orchestrator.done() and orchestrator.exception():
                raise orchestrator.exception()  # type: ignore[misc]
        except asyncio.CancelledError:
            interrupted = True
            if orchestrator is not None and not orchestrator.done():
                orchestrator.cancel()
                with contextlib.suppress(BaseException):
                    await orchestrator
            for task in store.tasks.values():
                if task.status == TaskStatus.RUNNING and (task.error is None or task.error.kind != "interrupted"):
                    store.interrupt(task.id)
            store.audit("interrupted")
        except (FatalAgentError, AgentError) as exc:
            # A key the API rejects is bad input, like a missing one: exit 2. Other failures: 1.
            fatal = isinstance(exc, FatalAgentError) or exc.fatal
            exit_code = EXIT_USAGE if fatal else EXIT_FAILED
            message = f"The agent backend failed: {exc}"
            store.audit("run-error", message=str(exc))
        finished_at = self.clock.now()
        store.finished = not interrupted
        audit_records = read_audit(paths.audit)
        metrics = compute_metrics(store.snapshot(), audit_records, started_at=started_at, finished_at=finished_at)
        outcome = verdict(store.snapshot())
        if interrupted:
            exit_code = EXIT_INTERRUPTED
            message = "Interrupted. Continue with --resume."
        elif exit_code == EXIT_OK:
            exit_code = EXIT_OK if outcome.ok else EXIT_FAILED
            message = outcome.sentence()
        if not interrupted:
            try:
                # Before the queue says finished: a finished run always has its patch.
                services.proposals.finish(finished_at)
            except OSError as exc:
                exit_code = EXIT_FAILED
                message = f"Could not write {paths.changes_patch.name} ({exc.strerror or exc}); run again with --fresh."
        telemetry.emit(
            "orchestrator run finished",
            **metrics.model_dump(),
            interrupted=interrupted,
            ok=outcome.ok and not interrupted,
            **{f"total_{k}": v for k, v in self.usage.items()},
        )
        store.mark_finished() if not interrupted else store.audit("flush")
        await self._final_flush(writer)
        await telemetry.aclose()
        unsubscribe()
        audit_out.close()
        # Backends that hold connections (the anthropic client) are closed with the run.
        close = getattr(self.backend, "aclose", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()
        return RunResult(exit_code, outcome, metrics, store.run_id, message, dict(self.usage))

    async def _final_flush(self, writer: CoalescingWriter) -> None:
        try:
            await writer.flush()
        except asyncio.CancelledError:
            writer.flush_sync()
            raise
        finally:
            # Handoff files still queued are written before the run reports back.
            self._side_writer.shutdown(wait=True)

    def _pinned(self, agent: ResolvedAgent) -> ResolvedAgent:
        """A backend that runs no model (the offline agent) reports its own name as the model."""
        fixed = getattr(self.backend, "fixed_model", None)
        return dataclasses.replace(agent, model=fixed) if fixed else agent

    async def _seed(self, services: RunServices, seeding_done: asyncio.Event, started_mono: float) -> None:
        store = services.store
        assert self.prompts is not None
        agent = self._pinned(
            resolve_orchestrator(
                self.prompts,
                install_dir_name=path_text(store.install_dir.name),
                forced_model=self.config.model,
                default_model=self.backend.default_model,
            )
        )
        context = ToolContext(services=services, agent_id="orchestrator")
        t0 = self.clock.monotonic()
        outcome: AgentOutcome | None = None
        try:
            store.set_orchestrator("running")
            toolbox = build_toolbox(agent.tools, context)
            outcome = await asyncio.wait_for(
                self.backend.run(AgentRequest(agent=agent, tools=toolbox, timeout_s=self.config.agent_timeout_s)),
                self.config.agent_timeout_s,
            )
            if outcome.error:
                store.set_orchestrator("failed", TaskError(kind=outcome.stop_reason, message=outcome.error))
            elif not store.tasks:
                store.set_orchestrator(
                    "failed", TaskError(kind="no-tasks", message="the orchestrator enqueued nothing")
                )
            else:
                store.set_orchestrator("done")
        except asyncio.CancelledError:
            store.set_orchestrator("interrupted")
            raise
        except TimeoutError:
            store.set_orchestrator("failed", TaskError(kind="timeout", message="the orchestrator ran out of time"))
        except AgentError as exc:
            outcome = exc.outcome
            store.set_orchestrator("failed", TaskError(kind="agent-error", message=str(exc)))
            if exc.fatal:
                raise
        except Exception as exc:  # a bug of ours must end the seeding visibly, not hang the run
            log.exception("orchestrator crashed")
            store.set_orchestrator("failed", TaskError(kind="internal", message=f"{type(exc).__name__}: {exc}"))
        finally:
            seeding_done.set()
            duration_ms = int((self.clock.monotonic() - t0) * 1000)
            if outcome is not None:
                self._agent_done(services.telemetry, agent, outcome, duration_ms)
        services.telemetry.emit(
            "orchestrator seeded",
            task_count=len(store.tasks),
            types=sorted({t.type for t in store.tasks.values()}),
            duration_ms=duration_ms,
            ok=store.orchestrator.status == "done",
        )

    def _agent_done(self, telemetry: Telemetry, agent: ResolvedAgent, outcome: AgentOutcome, ms: float) -> None:
        usage = outcome.usage
        for key in USAGE_KEYS:
            self.usage[key] = self.usage.get(key, 0) + int(getattr(usage, key))
        self.agents_run += 1
        telemetry.emit(
            "agent completed",
            task_type=agent.agent_type,
            model=outcome.model,
            turns=outcome.turns,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_input_tokens=usage.cache_read_input_tokens,
            cache_creation_input_tokens=usage.cache_creation_input_tokens,
            duration_ms=int(ms),
            stop_reason=outcome.stop_reason,
        )

    def _record(self, event: Event, audit_out: JsonlAppender, paths: RunPaths) -> None:
        """Persist each transition: one audit line, and the handoff file when a task reports."""
        if not isinstance(event, AuditRecord):
            return
        audit_out.append(event)
        if event.event in ("complete", "skip", "fail") and event.task_id and self.store:
            task: Task = self.store.tasks[event.task_id]
            if task.handoff is not None:
                # The handoff is already in queue.json; its own file is written by one worker
                # thread, in order, so file-system latency never holds up the event loop.
                path, record = paths.handoff(task.id), HandoffFile.of(task)
                future = self._side_writer.submit(atomic_write_model, path, record, fsync=False)
                future.add_done_callback(_report_side_write)


def _report_side_write(future: Future[None]) -> None:
    error = future.exception()
    if error is not None:  # the handoff is still in queue.json: say so, do not stop the run
        log.error("could not write a handoff file: %s", error)
