"""One wizard run, end to end: open the run dir, seed with the orchestrator, drain, finish.

This module is the wiring: the run dir comes from `rundir`, every fact is written by the
`Recorder` and turned into telemetry by `Telemetry.observe` (both subscribers of the one
event bus), and every agent, the orchestrator's and each task's, runs through one
`AgentRunner`. The work itself (seed and drain) is `seeding`, how it ends is `run_end`, a
write the disk refuses is `disk_fault`, and what a run is given and returns is `run_config`.
`Run.execute()` never raises for a user's or an agent's mistake: it returns a `RunResult`
with an exit code (0 all done, 1 failed or blocked tasks, 2 bad input, 130 interrupted) and
leaves every file flushed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable
from typing import TYPE_CHECKING

from wizard_tui.agents.base import AgentBackend
from wizard_tui.domain.claude_models import MODELS, at_or_below
from wizard_tui.domain.clock import Clock, IdFactory, SystemClock, random_ids
from wizard_tui.domain.events import RUN_FINISHED, RUN_STARTED, EventBus
from wizard_tui.domain.guards import GUARD_NAMES, Limits
from wizard_tui.domain.metrics import MetricsTally
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.persistence import RunPaths, read_audit, read_install_intent
from wizard_tui.domain.printable import path_text
from wizard_tui.domain.prompts import PromptLibrary, load_prompts
from wizard_tui.domain.queue import QueueStore, join_chunks
from wizard_tui.domain.resolver import resolve_orchestrator, resolve_task
from wizard_tui.domain.settings import EXIT_FAILED, EXIT_USAGE
from wizard_tui.domain.shared_prompt import RunFacts, SharedPrompts
from wizard_tui.domain.verdict import verdict
from wizard_tui.domain.writers import CoalescingWriter
from wizard_tui.engine.agent_runner import AgentRunner
from wizard_tui.engine.disk_fault import DiskFault, fault_sentence
from wizard_tui.engine.recorder import Recorder
from wizard_tui.engine.run_config import RunConfig, RunResult
from wizard_tui.engine.run_end import after_final_fault, apply_at_end, ending, final_flush, next_step
from wizard_tui.engine.rundir import OpenRunDir, RunSetupError, open_run_dir

if TYPE_CHECKING:
    # What the run does once it starts (its tools, executor, seeding, telemetry) is imported by
    # `execute`, not with this module: the terminal UI imports it to prepare the run before the
    # first frame, which these would hold back by about 20 ms (`python -m bench startup`).
    from wizard_tui.engine.executor import Executor
    from wizard_tui.engine.seeding import WorkEnd
    from wizard_tui.engine.tools import RunServices
    from wizard_tui.telemetry.emitter import Sink, Telemetry

# What the faces and tests import from here: the run, what it is given and what it returns.
__all__ = ["Run", "RunConfig", "RunResult", "tune_gc"]


def tune_gc() -> None:
    """Collector settings for a run: tune once, before the run starts.

    Everything imported so far (pydantic schemas, the SDKs) lives for the whole process, so it
    is frozen out of the collector's scans; a run allocates many short-lived records, so the
    youngest generation is collected less often. Measured by bench/bench_machinery.py.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


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
        self.fault = DiskFault()  # every writer of the run reports a failed write here
        self._opened: OpenRunDir | None = None
        self._prepared: tuple[RunPaths, QueueStore] | None = None

    # -- set-up ------------------------------------------------------------------------------

    async def preflight(self) -> str | None:
        """One cheap request to the model API, before `prepare()` writes anything; the sentence when it fails."""
        return await self.runner.preflight(self.config.model or self.backend.default_model)

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
                await self.runner.aclose()
                return RunResult(EXIT_USAGE, None, None, self.run_id, problem)
            try:
                self.prepare()
            except RunSetupError as exc:
                return RunResult(EXIT_USAGE, None, None, self.run_id, str(exc))
        assert self._prepared is not None
        paths, store = self._prepared
        try:
            result = await self._execute(paths, store)
            result = apply_at_end(result, paths, store, self.clock.now()) if self.config.apply else result
            return next_step(result, paths, self.config)
        except OSError as exc:  # the run dir could not be written as the run began
            return RunResult(EXIT_FAILED, None, None, self.run_id, fault_sentence(exc, paths))
        finally:
            self.release()

    def _services(self, paths: RunPaths, store: QueueStore, library: PromptLibrary) -> RunServices:
        from wizard_tui.engine.tools import RunServices

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
            on_disk_error=self.fault,
        )

    async def _execute(self, paths: RunPaths, store: QueueStore) -> RunResult:
        from wizard_tui.domain.walk import WalkBudget
        from wizard_tui.engine.executor import Executor
        from wizard_tui.engine.tools.explore import in_worker
        from wizard_tui.engine.tools.secrets import take_inventory
        from wizard_tui.telemetry.emitter import JsonlSink, Telemetry
        from wizard_tui.telemetry.events import vocabulary

        assert self.prompts is not None and self._opened is not None
        library = self.prompts
        store.backend = self.backend.name
        store.model = self.config.model or self.backend.default_model

        writer = CoalescingWriter(store.render_chunks, paths.queue, join=join_chunks, on_error=self.fault)
        self.writer = writer
        # On disk from the first moment, so a kill at any point leaves a run that --resume knows.
        writer.flush_sync()
        store.on_change(writer.request)
        # Done and skipped tasks' handoffs are written by the executor before the task is done.
        recorder = Recorder(paths, store, on_error=self.fault, reported_by_executor=True)
        telemetry = Telemetry(
            store.run_id,
            self.clock,
            self.bus,
            [JsonlSink(paths.telemetry, on_error=self.fault), *self.extra_sinks],
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
        # The run's figures are tallied as its facts happen, so its end need not read the log back.
        tally = MetricsTally(store.run_id, started_at)
        unsubscribe.append(self.bus.subscribe(tally.observe))
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
            for record in read_audit(paths.audit):  # retries of earlier sessions count too
                if record.event == "requeue":
                    tally.add(record)
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
        work = await self._work(services, executor)
        if not inventory.done():
            inventory.cancel()
        with contextlib.suppress(BaseException):
            await inventory
        return await self._finish(
            work,
            paths,
            services,
            writer=writer,
            recorder=recorder,
            telemetry=telemetry,
            unsubscribe=unsubscribe,
            tally=tally,
        )

    async def _work(self, services: RunServices, executor: Executor) -> WorkEnd:
        """Seed and drain as a task of its own, so a failed write can stop it the way Ctrl-C stops the run."""
        from wizard_tui.engine.seeding import WorkEnd, drive

        work = asyncio.create_task(
            drive(services, executor, lambda done: self._seed(services, done), pipeline=self.config.pipeline)
        )
        self.fault.stops(work)
        try:
            return await work
        except asyncio.CancelledError:
            if not work.done():
                work.cancel()
            try:
                return await work  # drive turns its cancellation into a result
            except asyncio.CancelledError:  # cancelled before it began: nothing ran
                return WorkEnd(interrupted=True)

    async def _seed(self, services: RunServices, seeding_done: asyncio.Event) -> None:
        """The orchestrator's agent, resolved for this run, seeds the queue."""
        from wizard_tui.engine.seeding import seed

        store = services.store
        assert self.prompts is not None
        agent = resolve_orchestrator(
            self.prompts,
            install_dir_name=path_text(store.install_dir.name),
            forced_model=self.config.model,
            default_model=self.backend.default_model,
            stub=self.config.stub,
            existing=dict(store.tasks),
        )
        await seed(self.runner, agent, services, seeding_done)

    async def _finish(
        self,
        work: WorkEnd,
        paths: RunPaths,
        services: RunServices,
        *,
        writer: CoalescingWriter,
        recorder: Recorder,
        telemetry: Telemetry,
        unsubscribe: list[Callable[[], None]],
        tally: MetricsTally,
    ) -> RunResult:
        """The verdict, the figures and the last writes, in the order that keeps a stopped run resumable."""
        store = services.store
        interrupted = work.interrupted
        finished_at = self.clock.now()
        snapshot = store.snapshot()
        metrics = tally.metrics(snapshot, finished_at)
        outcome = verdict(snapshot)
        exit_code, message = ending(work, outcome, self.fault.error, paths, self.config)
        if not interrupted and self.fault.error is None:
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
        if not interrupted and self.fault.error is None:
            store.mark_finished()
        finished_on_disk = await final_flush(writer, recorder, self.fault) and store.finished
        await telemetry.aclose()
        for stop in unsubscribe:
            stop()
        recorder.close()
        if self.fault.error is not None and exit_code != EXIT_USAGE:
            exit_code, message = after_final_fault(message, self.fault.error, paths, finished_on_disk=finished_on_disk)
        await self.runner.aclose()
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
