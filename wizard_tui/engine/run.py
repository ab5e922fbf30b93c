"""One wizard run, end to end: open the run dir, seed with the orchestrator, drain, finish.

This module is the wiring: the run dir comes from `rundir`, every fact is written by the
`Recorder` and turned into telemetry by `Telemetry.observe` (both subscribers of the one
event bus), and every agent, the orchestrator's and each task's, runs through one
`AgentRunner`. `Run.execute()` never raises for a user's or an agent's mistake: it returns
a `RunResult` with an exit code (0 all done, 1 failed or blocked tasks, 2 bad input, 130
interrupted) and leaves every file flushed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from wizard_tui.agents.base import AgentBackend, AgentError
from wizard_tui.domain import nofollow
from wizard_tui.domain.changes import review_passed
from wizard_tui.domain.claude_models import MODELS, at_or_below
from wizard_tui.domain.clock import Clock, IdFactory, SystemClock, random_ids
from wizard_tui.domain.commands import Invocation
from wizard_tui.domain.events import RUN_FINISHED, RUN_STARTED, EventBus
from wizard_tui.domain.guards import GUARD_NAMES, Limits
from wizard_tui.domain.metrics import RunMetrics, compute_metrics
from wizard_tui.domain.models import ORCHESTRATOR, TaskError, TaskStatus
from wizard_tui.domain.persistence import CoalescingWriter, RunPaths, read_audit, read_install_intent
from wizard_tui.domain.printable import path_text, printable
from wizard_tui.domain.prompts import PromptLibrary, load_prompts
from wizard_tui.domain.queue import QueueStore, join_chunks
from wizard_tui.domain.resolver import resolve_orchestrator, resolve_task
from wizard_tui.domain.settings import (
    AGENT_TIMEOUT_S,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    MAX_CONCURRENCY,
    MAX_STARTS,
    MAX_TASK_CAP,
    MAX_TASKS,
)
from wizard_tui.domain.shared_prompt import RunFacts, SharedPrompts
from wizard_tui.domain.verdict import RunVerdict, verdict
from wizard_tui.domain.walk import WalkBudget
from wizard_tui.engine.agent_runner import AgentRunner
from wizard_tui.engine.apply import ApplyError, ApplyOutcome, apply_changes, read_changes
from wizard_tui.engine.executor import Executor
from wizard_tui.engine.recorder import Recorder
from wizard_tui.engine.rundir import OpenRunDir, RunSetupError, open_run_dir
from wizard_tui.engine.tools import RunServices, ToolContext
from wizard_tui.engine.tools.explore import in_worker
from wizard_tui.engine.tools.project import detection_of
from wizard_tui.engine.tools.secrets import take_inventory
from wizard_tui.telemetry.emitter import JsonlSink, Sink, Telemetry
from wizard_tui.telemetry.events import vocabulary

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
    model: str | None = None
    concurrency: int = Field(default=1, ge=1, le=MAX_CONCURRENCY)
    pipeline: bool = True
    max_tasks: int = Field(default=MAX_TASKS, ge=1, le=MAX_TASK_CAP)
    max_starts: int = Field(default=MAX_STARTS, ge=1)
    resume: bool = False
    fresh: bool = False
    agent_timeout_s: float = Field(default=AGENT_TIMEOUT_S, gt=0)
    stub: bool = False  # --stub: every task runs the stub body (the walking skeleton)
    apply: bool = False  # --apply: apply changes.patch at the end when the review task passed
    # How the person started this run, so hints name a command that works in their shell.
    invocation: Invocation | None = None

    def command(self, flag: str | None = None) -> str:
        """What to type to run again with `flag` (`--resume`, `--fresh`, or None for a plain run)."""
        return (self.invocation or Invocation(args=(path_text(self.install_dir),))).again(flag)

    def sub(self, command: str) -> str:
        """What to type to `apply` or `revert` this run's project, in the shell that started the run."""
        return (self.invocation or Invocation()).sub(command, path_text(self.install_dir))


@dataclass
class RunResult:
    """How a run ended: the exit code, the sentence for the person, and its figures."""

    exit_code: int
    verdict: RunVerdict | None
    metrics: RunMetrics | None
    run_id: str | None
    message: str
    usage: dict[str, int] = field(default_factory=dict)
    applied: ApplyOutcome | None = None  # with --apply, what was applied
    patch_files: int = 0  # how many files the run's changes.patch changes (0: no patch)
    next_step: str = ""  # what the person can do now: apply the patch, or undo what --apply did
    usage_by_model: dict[str, dict[str, Any]] = field(default_factory=dict)  # counters and cost_usd
    cost_usd: float | None = None  # at list prices; None when no model that ran has a price


class Run:
    """Wires the store, recorder, telemetry, orchestrator and executor for one run."""

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
        self.runner = AgentRunner(backend, timeout_s=config.agent_timeout_s)
        self.writer: CoalescingWriter | None = None  # queue.json's writer, read by the machinery benchmark
        self._opened: OpenRunDir | None = None
        self._prepared: tuple[RunPaths, QueueStore] | None = None
        self._fault: OSError | None = None
        self._work: asyncio.Task[tuple[bool, int, str]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- set-up ------------------------------------------------------------------------------

    def prepare(self) -> tuple[RunPaths, QueueStore]:
        """Validate input, lock and open the run dir; raises RunSetupError with a sentence.

        Synchronous, and done before anything of the new run is written: an earlier run is
        archived here, so whoever watches the run dir after this call sees only this run.
        On success the run dir's lock is held until `release()` (which `execute()` calls).
        """
        self.prompts = self.prompts or load_prompts()
        opened = open_run_dir(
            self.config.install_dir,
            resume=self.config.resume,
            fresh=self.config.fresh,
            clock=self.clock,
            ids=self.ids,
            bus=self.bus,
            run_id=self.run_id,
            command=self.config.command,
        )
        self._opened = opened
        self.run_id = opened.store.run_id
        self._prepared = (opened.paths, opened.store)
        return self._prepared

    def release(self) -> None:
        """Let go of the run dir's lock (the OS also drops it if the process dies)."""
        if self._opened is not None:
            self._opened.release()
            self._opened = None

    # -- the run -----------------------------------------------------------------------------

    async def execute(self) -> RunResult:
        """The whole run; the backend check and `prepare()` first unless the caller did them (the TUI does)."""
        if self._prepared is None:
            problem = await self.preflight()
            if problem is not None:  # nothing was written: a wrong endpoint is bad input, like a bad path
                await self._close_backend()
                return RunResult(EXIT_USAGE, None, None, self.run_id, problem)
            try:
                self.prepare()
            except RunSetupError as exc:
                return RunResult(EXIT_USAGE, None, None, self.run_id, str(exc))
        assert self._prepared is not None
        paths, store = self._prepared
        try:
            result = await self._execute(paths, store)
            result = self._apply_at_end(result, paths, store) if self.config.apply else result
            return self._next_step(result, paths)
        except OSError as exc:  # the run dir could not be written as the run began
            return RunResult(EXIT_FAILED, None, None, self.run_id, fault_sentence(exc, paths))
        finally:
            self.release()

    def _next_step(self, result: RunResult, paths: RunPaths) -> RunResult:
        """Say where the patch is and the command that applies it (or undoes what --apply did)."""
        if result.exit_code in (EXIT_INTERRUPTED, EXIT_USAGE) and result.applied is None:
            return result
        try:
            manifest = read_changes(paths)
        except ApplyError:  # a patch we cannot read back is no patch to point at
            manifest = None
        if manifest is None or manifest.run_id != result.run_id:
            return result
        if result.applied is not None:
            step = f"Undo it with `{self.config.sub('revert')}`."
        else:
            step = (
                f"Review the proposed changes in {path_text(paths.changes_patch)}, "
                f"then apply them with `{self.config.sub('apply')}`."
            )
        return dataclasses.replace(result, patch_files=len(manifest.files), next_step=step)

    def _apply_at_end(self, result: RunResult, paths: RunPaths, store: QueueStore) -> RunResult:
        """`--apply`: apply the patch, still holding the lock, when the run ended and its review passed."""
        if result.exit_code in (EXIT_INTERRUPTED, EXIT_USAGE):
            return result
        if not paths.changes_manifest.exists():
            return dataclasses.replace(result, message=f"{result.message} The run proposed no changes to apply.")
        if not review_passed(store.tasks.values()):
            return dataclasses.replace(
                result,
                exit_code=max(result.exit_code, EXIT_FAILED),
                message=f"{result.message} Not applied: --apply needs a review task that ended done.",
            )
        try:
            outcome = apply_changes(paths.install_dir, lock_held=True, now=self.clock.now())
        except ApplyError as exc:
            return dataclasses.replace(result, exit_code=EXIT_USAGE, message=f"{result.message} Not applied: {exc}")
        return dataclasses.replace(result, message=f"{result.message} {outcome.message}", applied=outcome)

    def _services(self, paths: RunPaths, store: QueueStore, library: PromptLibrary) -> RunServices:
        # A task's model may be lowered below the run's model, never raised above it.
        valid_models = set(at_or_below(store.model))
        return RunServices(
            install_dir=store.install_dir,
            paths=paths,
            store=store,
            library=library,
            limits=Limits(max_tasks=self.config.max_tasks, max_starts=self.config.max_starts),
            valid_models=valid_models,
            started_mono=self.clock.monotonic(),
            on_disk_error=self._disk_fault,
        )

    async def _execute(self, paths: RunPaths, store: QueueStore) -> RunResult:
        assert self.prompts is not None and self._opened is not None
        library = self.prompts
        store.backend = self.backend.name
        store.model = self.config.model or self.backend.default_model

        self._loop = asyncio.get_running_loop()
        writer = CoalescingWriter(store.render_chunks, paths.queue, join=join_chunks, on_error=self._disk_fault)
        self.writer = writer
        # On disk from the first moment, so a kill at any point leaves a run that --resume knows.
        writer.flush_sync()
        store.on_change(writer.request)
        # Done and skipped tasks' handoffs are written by the executor before the task is done.
        recorder = Recorder(paths, store, on_error=self._disk_fault, reported_by_executor=True)
        telemetry = Telemetry(
            store.run_id,
            self.clock,
            self.bus,
            [JsonlSink(paths.telemetry, on_error=self._disk_fault), *self.extra_sinks],
        )
        unsubscribe = [self.bus.subscribe(recorder), self.bus.subscribe(telemetry.observe)]
        # One clock for every figure: this session starts at the instant of its first event, so
        # the offsets a log prints (counted from the first event) and the summary's timings agree.
        started_at = store.audit(
            RUN_STARTED,
            backend=self.backend.name,
            model=store.model,
            concurrency=self.config.concurrency,
            pipeline=self.config.pipeline,
            resumed=self.config.resume,
        ).ts
        services = self._services(paths, store, library)
        # Strings the model chose (a stop reason, a model name it answered with) never leave as they are.
        telemetry.vocabulary = vocabulary(
            task_types={*library.task_types, library.seed.meta.type},
            models={*MODELS, *services.valid_models, store.model or "", getattr(self.backend, "fixed_model", "") or ""},
            guards=GUARD_NAMES,
        )
        # The secret scanner loads, and the project's secret files are learnt, while seeding begins.
        inventory_budget = WalkBudget(max_files=20_000, seconds=1.0)
        inventory = asyncio.create_task(
            in_worker(take_inventory, store.install_dir, services.secrets, inventory_budget, budget=inventory_budget)
        )
        services.secrets_ready = inventory
        if self.config.resume:
            for task in list(store.tasks.values()):
                if task.status == TaskStatus.RUNNING:
                    store.reset_for_resume(task.id)
            recorder.write_missing_handoffs()
            intent = read_install_intent(paths.install_intent)
            if intent is not None:  # the task agents' shared prompt holds it, as before the stop
                services.cache["install_intent"] = intent.model_dump(mode="json")
            # Proposals of attempts that never finished are dropped; a retry starts clean.
            dropped = services.proposals.load(store.tasks)
            store.audit("resume", set_aside=self._opened.orphans, proposals_dropped=dropped)
        shared = SharedPrompts(library, stub=self.config.stub)
        executor = Executor(
            services,
            self.runner,
            lambda task: resolve_task(
                task,
                library,
                store.tasks,
                forced_model=self.config.model,
                default_model=self.backend.default_model,
                stub=self.config.stub,
                shared=shared.current(
                    RunFacts(
                        framework=store.framework,
                        detection=services.cache.get("detection"),
                        install_intent=services.cache.get("install_intent"),
                    )
                ),
            ),
            save_handoff=recorder.save_handoff,
            concurrency=self.config.concurrency,
            # The start backstop is per run, not per process: resuming a runaway must not refill it.
            starts=sum(t.attempts for t in store.tasks.values()) if self.config.resume else 0,
        )
        # The work runs as its own task, so a failed write can stop it (see `_disk_fault`) the way
        # Ctrl-C stops the whole run; both end here with every file flushed.
        self._work = work = asyncio.create_task(self._drive(services, executor))
        try:
            interrupted, exit_code, message = await work
        except asyncio.CancelledError:
            if not work.done():
                work.cancel()
            try:
                interrupted, exit_code, message = await work  # _drive turns its cancellation into a result
            except asyncio.CancelledError:  # cancelled before it began: nothing ran
                interrupted, exit_code, message = True, EXIT_OK, ""
        if not inventory.done():
            inventory.cancel()
        with contextlib.suppress(BaseException):
            await inventory
        finished_at = self.clock.now()
        recorder.flush()  # the metrics read this session's audit lines back
        # Only this run's lines count: a foreign or torn line in the log is skipped, never fatal.
        audit_records = [r for r in read_audit(paths.audit) if r.run_id == store.run_id]
        metrics = compute_metrics(store.snapshot(), audit_records, started_at=started_at, finished_at=finished_at)
        outcome = verdict(store.snapshot())
        if self._fault is not None:
            exit_code = EXIT_FAILED
            message = fault_sentence(self._fault, paths)
        elif interrupted:
            exit_code = EXIT_INTERRUPTED
            message = f"Interrupted. Continue with: {self.config.command('--resume')}"
        elif exit_code == EXIT_OK:
            exit_code = EXIT_OK if outcome.ok else EXIT_FAILED
            message = outcome.sentence()
        if not interrupted and self._fault is None:
            try:
                # Before the queue says finished: a finished run always has its patch.
                services.proposals.finish(finished_at)
            except OSError as exc:
                exit_code = EXIT_FAILED
                message = f"Could not write {paths.changes_patch.name} ({exc.strerror or exc}); run again with --fresh."
        spend = self.runner.spend
        store.audit(
            RUN_FINISHED,
            **metrics.model_dump(),
            interrupted=interrupted,
            ok=outcome.ok and not interrupted,
            **{f"total_{k}": v for k, v in spend.totals.items()},
            total_cost_usd=spend.cost_usd(),
            usage_by_model=spend.report(),
        )
        if interrupted:
            store.audit("flush")
        # queue.json says finished last, once every audit line and handoff is on disk: a write
        # refused before that leaves a queue that --resume continues.
        with contextlib.suppress(OSError):  # a refused write is already the run's fault
            recorder.flush()
        if not interrupted and self._fault is None:
            store.mark_finished()
        finished_on_disk = await self._final_flush(writer, recorder) and store.finished
        await telemetry.aclose()
        for stop in unsubscribe:
            stop()
        recorder.close()
        if self._fault is not None and exit_code != EXIT_USAGE:
            # A write failed at the very end: never exit 0 on it. After the finished queue.json
            # only the logs' last lines can fail; the run itself is whole and needs no resume.
            exit_code = EXIT_FAILED
            if finished_on_disk:
                missing = fault_sentence(self._fault, paths, finished=True)
                message = f"{message} Its last log lines may be missing: {missing}"
            else:
                message = fault_sentence(self._fault, paths)
        await self._close_backend()
        return RunResult(
            exit_code,
            outcome,
            metrics,
            store.run_id,
            message,
            usage=spend.totals,
            usage_by_model=spend.report(),
            cost_usd=spend.cost_usd(),
        )

    async def preflight(self) -> str | None:
        """One cheap request to the model API, before `prepare()` writes anything; the sentence when it fails.

        Its tokens join the run's. Backends that reach no network (the offline agent) have no `preflight`.
        """
        check = getattr(self.backend, "preflight", None)
        if check is None:
            return None
        model = self.config.model or self.backend.default_model
        try:
            usage = await check(model)
        except AgentError as exc:
            return str(exc)
        self.runner.spend.add(model, dataclasses.asdict(usage))
        return None

    async def _close_backend(self) -> None:
        # Backends that hold connections (the anthropic client) are closed with the run.
        close = getattr(self.backend, "aclose", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()

    async def _drive(self, services: RunServices, executor: Executor) -> tuple[bool, int, str]:
        """Seed and drain (pipelined or not); returns (interrupted, exit code so far, message)."""
        store = services.store
        seeding_done = asyncio.Event()
        orchestrator: asyncio.Task[None] | None = None
        # Detection starts with the run, beside the orchestrator's first request: no task starts
        # before it is known, so every task agent's shared prompt holds it (see shared_prompt).
        detecting = asyncio.ensure_future(detection_of(services))
        try:
            if store.orchestrator.status == "done":
                seeding_done.set()
            else:
                orchestrator = asyncio.create_task(self._seed(services, seeding_done))
            await _settled(detecting)
            if self.config.pipeline or orchestrator is None:
                await executor.drain(seeding_done)
                if orchestrator is not None:
                    await orchestrator
            else:
                await orchestrator
                await executor.drain(seeding_done)
        except asyncio.CancelledError:
            if orchestrator is not None and not orchestrator.done():
                orchestrator.cancel()
                with contextlib.suppress(BaseException):
                    await orchestrator
            for task in store.tasks.values():
                if task.status == TaskStatus.RUNNING and (task.error is None or task.error.kind != "interrupted"):
                    store.interrupt(task.id)
            store.audit("interrupted")
            return True, EXIT_OK, ""
        except AgentError as exc:
            # A key the API rejects is bad input, like a missing one: exit 2. Other failures: 1.
            store.audit("run-error", message=str(exc))
            return False, EXIT_USAGE if exc.fatal else EXIT_FAILED, f"The agent backend failed: {exc}"
        return False, EXIT_OK, ""

    async def _final_flush(self, writer: CoalescingWriter, recorder: Recorder) -> bool:
        """Write the last queue.json; True when it reached the disk."""
        try:
            await writer.flush()
            return writer.last_error is None
        except asyncio.CancelledError:
            with contextlib.suppress(OSError):
                writer.flush_sync()
            raise
        except OSError as exc:  # the disk is still full: the last whole queue.json stays in place
            self._disk_fault(exc)
            return False
        finally:
            # Handoff files still queued are written before the run reports back.
            recorder.flush()
            writer.close()

    def _disk_fault(self, error: OSError) -> None:
        """A write to the run dir failed (disk full, read-only, a link planted mid-run): stop the run.

        The last queue.json written is whole (writes are atomic), so the run can be resumed once
        the cause is fixed. Safe to call from any thread.
        """
        if self._fault is not None:
            return
        self._fault = error
        log.info("could not write to the run dir: %s", error)  # the run ends with a sentence saying so
        work, loop = self._work, self._loop
        if work is None or loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is already closed: nothing left to stop
            loop.call_soon_threadsafe(work.cancel)

    async def _seed(self, services: RunServices, seeding_done: asyncio.Event) -> None:
        """The orchestrator's agent seeds the queue; its status ends done, failed or interrupted."""
        store = services.store
        assert self.prompts is not None
        agent = self.runner.pin(
            resolve_orchestrator(
                self.prompts,
                install_dir_name=path_text(store.install_dir.name),
                forced_model=self.config.model,
                default_model=self.backend.default_model,
                stub=self.config.stub,
                existing=dict(store.tasks),
            )
        )
        try:
            store.set_orchestrator("running")
            ran = await self.runner.run(agent, ToolContext(services=services, agent_id=ORCHESTRATOR))
            error = ran.error
            if error is None and not store.tasks:
                error = TaskError(kind="no-tasks", message="the orchestrator enqueued nothing")
            store.set_orchestrator("failed" if error else "done", error, duration_ms=ran.duration_ms)
        except asyncio.CancelledError:
            store.set_orchestrator("interrupted")
            raise
        finally:
            seeding_done.set()
        if ran.fatal is not None:
            raise ran.fatal


async def _settled(detecting: asyncio.Future[dict[str, Any]]) -> None:
    """Wait for the run's detection; a failure of ours there leaves the tasks without it, not the run."""
    try:
        await detecting
    except Exception:
        log.exception("detection failed")


def fault_sentence(error: OSError, paths: RunPaths, *, finished: bool = False) -> str:
    """The one sentence a person reads when the run dir could not be written (`finished`: the run is whole)."""
    where = printable(error.filename or paths.root)
    if finished:
        return f"could not write {where} ({error.strerror or error})."
    then = "continue with --resume" if nofollow.lexists(paths.queue) else "run again"
    return (
        f"Stopped: could not write {where} ({error.strerror or error}). "
        f"Free some space or make the folder writable, then {then}."
    )
