"""Machinery overhead: a no-op agent on queues of 9, 30, 100, 1,000 and 10,000 tasks, persistence on.

The orchestrator enqueues N independent tasks (caps raised), each task agent reports done at
once (its handoff), and every file is written as in a real run: queue.json, each handoff on
disk before its task counts as done, the event log and telemetry. Reports time per task,
queue.json writes per transition (coalescing keeps it well under one), and the growth from
1,000 to 10,000 tasks, measured in one run. Targets: under 1 ms per task at 1,000; growth at
most 12x in CPU time (linear; the wall time's growth is shown beside it).

The tasks run the real bodies' mode, not `--stub`: a no-op task reports its handoff and has
nothing else to prove, which is what PostHog's queue comparison drains. Under `--stub` a task
is done only with its marker file on disk too, so there a no-op task makes one more tool call
and writes one more file: the `--stub` rows (9, 30 and 1,000 tasks) measure that case.

The 9- and 30-task runs are the fixed cost of a small run (a real run has 6 to 20 tasks):
the whole `Run.execute()`, from an empty project to every file flushed and the lock let go
(the lock, the run dir, the secret inventory, detection, the orchestrator, the metrics and
the patch included). Beside each, the queue's own drain, from the first enqueue to the last
task done (every transition, audit and telemetry line and handoff file of it included): the
part PostHog's queue comparison measures. Its runner seeds the queue first and then drains
it, and the figure is the drain alone, with nothing of the run's set-up; ours starts earlier,
at the orchestrator's first enqueue, so it also holds the seeding's tool calls.
The prompt files are parsed once per process (like its imports, about 1 ms), and the event
loop is made once, not per run.
PostHog's own queue, measured side by side on this machine, drains 9 no-op tasks in 2-4 ms
and 30 in 9-13 ms; the target is parity or better for the drain. The whole run is reported
beside it as information: PostHog's figure has no counterpart for its set-up.

Run: .venv/bin/python -m bench machinery
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from wizard_tui.agents.base import AgentOutcome, AgentRequest
from wizard_tui.domain.prompts import PromptLibrary, load_prompts
from wizard_tui.engine.run import Run, RunConfig, tune_gc

HANDOFF = {"goal": "bench", "did": "nothing", "for_next_agent": "nothing"}
# Small queues and what PostHog's own queue takes for them here (ms, best and worst seen).
SMALL = {9: (2, 4), 30: (9, 13)}


class NoOpAgent:
    """Enqueues `n` tasks as orchestrator; as a task, completes (writing the stub's marker first under --stub)."""

    name = "noop"
    default_model = "noop"

    def __init__(self, n: int) -> None:
        self.n = n

    async def run(self, request: AgentRequest) -> AgentOutcome:
        if request.agent.kind == "orchestrator":
            for i in range(self.n):
                result = await request.tools.call(
                    "enqueue_task", {"type": "capture", "label": f"task {i}", "inputs": {"i": i}, "reason": "bench"}
                )
                assert not result.is_error, result.content
            return AgentOutcome(model="noop", turns=self.n)
        if "write_marker" in request.agent.tools:
            # The stub body's proof: a task of the stub is done only with its marker on disk.
            marker = await request.tools.call("write_marker", {})
            assert not marker.is_error, marker.content
        result = await request.tools.call("complete_task", {"status": "done", "handoff": HANDOFF})
        assert not result.is_error, result.content
        return AgentOutcome(model="noop", turns=1)


def measure(
    n: int,
    root: Path,
    prompts: PromptLibrary | None = None,
    runner: asyncio.Runner | None = None,
    *,
    stub: bool = False,
) -> dict[str, float]:
    """One run of `n` tasks under `root` (`stub`: as `--stub`, markers and all); in `runner`'s event loop when given."""
    project = root / f"p{n}"
    project.mkdir(parents=True)
    (project / "index.js").write_text("console.log('hi')\n")
    config = RunConfig(install_dir=project, stub=stub, max_tasks=n + 10, max_starts=n + 10)
    run = Run(config, NoOpAgent(n), prompts=prompts)
    queue_times: list[float] = []  # the first enqueue, then each completion: the queue's own drain

    def on_fact(event: object) -> None:
        kind = getattr(event, "event", None)
        if (kind == "enqueue" and not queue_times) or (kind == "complete" and queue_times):
            queue_times.append(time.perf_counter())

    run.bus.subscribe(on_fact)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = runner.run(run.execute()) if runner is not None else asyncio.run(run.execute())
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert result.exit_code == 0, result.message
    assert run.writer is not None
    transitions = 3 * n  # enqueue, start, complete per task
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,  # this process's CPU time, threads included: what a busy neighbour does not add
        "drain_seconds": queue_times[-1] - queue_times[0],
        "ms_per_task": elapsed * 1000 / n,
        "writes": run.writer.writes,
        "writes_per_transition": run.writer.writes / transitions,
    }


def run() -> list[tuple[str, str, str]]:
    tune_gc()  # as the CLI does before a run
    rows: list[tuple[str, str, str]] = []
    # Best of a few runs per size, in memory (tmpfs) where there is one: this machine's shared
    # disk makes fsync times swing by 2-3x between runs, which is noise, not machinery. The
    # same 1,000-task run on the disk is reported beside it.
    memory_dir = "/dev/shm" if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK) else None
    # The small runs take milliseconds, so a busy moment of a shared machine swamps them: they
    # are run before and after the big ones (the schedule below), and keep their best. Each
    # `--stub` size runs next to the same size without, so the two see the same machine.
    small = [(9, False, 15), (9, True, 15), (30, False, 10), (30, True, 10)]
    schedule = [*small, (100, False, 3), (1_000, False, 3), (1_000, True, 3), (10_000, False, 2), *small]
    load_before = os.getloadavg()[0]
    prompts = load_prompts()
    results: dict[tuple[int, bool], dict[str, float]] = {}
    drains: dict[tuple[int, bool], float] = {}  # best drain of each size: first enqueue to last completion
    # One event loop for every run, as a process has: a run is measured from its start to its
    # last file flushed, not the loop's own set-up (about a millisecond, once per process).
    with asyncio.Runner() as runner:
        for n, stub, times in schedule:
            for attempt in range(times):
                with tempfile.TemporaryDirectory(prefix="wizard-bench-", dir=memory_dir) as tmp:
                    figures = measure(n, Path(tmp) / str(attempt), prompts, runner, stub=stub)
                drains[n, stub] = min(figures["drain_seconds"], drains.get((n, stub), float("inf")))
                if (n, stub) not in results or figures["seconds"] < results[n, stub]["seconds"]:
                    results[n, stub] = figures
    with tempfile.TemporaryDirectory(prefix="wizard-bench-") as tmp:
        on_disk = min((measure(1_000, Path(tmp) / str(i)) for i in range(2)), key=lambda r: r["seconds"])
    load = f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    rows.append(("machinery: the machine while measuring", load, "info: figures swing with it"))
    for n, posthog_ms in SMALL.items():
        r, stubbed = results[n, False], results[n, True]
        ms, drain_ms = r["seconds"] * 1000, drains[n, False] * 1000
        rows.append(
            (
                f"machinery, {n} no-op tasks: the whole run (a small run's fixed cost)",
                f"{ms:.1f} ms in all, {r['ms_per_task']:.2f} ms/task",
                f"info: PostHog's {posthog_ms[0]}-{posthog_ms[1]} ms is a drain; this adds the run's set-up",
            )
        )
        rows.append(
            (
                f"machinery, {n} no-op tasks: the queue's drain (first enqueue to last completion)",
                f"{drain_ms:.1f} ms",
                f"PostHog's queue: {posthog_ms[0]}-{posthog_ms[1]} ms "
                f"({'ok' if drain_ms <= posthog_ms[1] else 'MISSED'}; like for like, no run set-up)",
            )
        )
        rows.append(
            (
                f"machinery, {n} no-op tasks --stub (a marker file each)",
                f"{stubbed['seconds'] * 1000:.1f} ms in all, {stubbed['ms_per_task']:.2f} ms/task",
                "info: one more tool call and file per task",
            )
        )
    for (n, stub), r in results.items():
        if n in SMALL:
            continue
        rows.append(
            (
                f"machinery, {n:,} no-op tasks{' --stub' if stub else ''}",
                f"{r['ms_per_task']:.3f} ms/task, {r['seconds']:.2f} s, "
                f"{r['writes_per_transition']:.4f} queue.json writes/transition ({int(r['writes'])} writes)",
                "info: a marker file per task; writes/transition well under 1"
                if stub
                else "< 1 ms/task at 1,000; writes/transition well under 1",
            )
        )
    where = "tmpfs" if memory_dir else "disk"
    rows = [(f"{name} [{where}]", figure, target) for name, figure, target in rows]
    rows.append(
        (
            "machinery, 1,000 no-op tasks [disk, fsync]",
            f"{on_disk['ms_per_task']:.3f} ms/task, {on_disk['writes_per_transition']:.4f} writes/transition",
            "info: the same run on this machine's disk",
        )
    )
    # Linear work grows 10x; the goal leaves 20% for a bigger working set (caches, a folder of
    # 10,000 handoff files). Judged on CPU time: a neighbour's load stretches a 5-second run's
    # wall time more than a half-second one's, which says nothing about our growth.
    big, small_run = results[10_000, False], results[1_000, False]
    growth = big["seconds"] / small_run["seconds"]
    cpu_growth = big["cpu_seconds"] / small_run["cpu_seconds"]
    verdict = "ok" if cpu_growth <= 12 and small_run["ms_per_task"] < 1 else "MISSED"
    rows.append(
        (
            "machinery growth 1,000 -> 10,000",
            f"{cpu_growth:.1f}x CPU time for 10x tasks ({growth:.1f}x wall time)",
            f"<= 12x CPU time ({verdict})",
        )
    )
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    for row in run():
        print(" | ".join(row))
