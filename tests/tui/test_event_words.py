"""The event log's wording, without an app: each fact once, in words, internals marked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.support.run_dirs import ScriptedRun, mid_run
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain.events import AGENT_ENDED, RUN_FINISHED, Event
from wizard_tui.domain.models import AuditRecord
from wizard_tui.domain.persistence import RunPaths
from wizard_tui.domain.wording import TRANSITIONS
from wizard_tui.engine.run import Run, RunConfig
from wizard_tui.tui.event_words import EventWords, LogEntry
from wizard_tui.tui.mirror import RunDirReader


def _entries(events: list[Event]) -> list[LogEntry]:
    words = EventWords()
    return [e for e in (words.entry(event) for event in events) if e is not None]


def _events(install_dir: Path) -> list[Event]:
    _, events = RunDirReader(RunPaths(install_dir)).poll()
    return events


async def test_a_real_run_reads_as_each_fact_once(sample: Callable[[str], Path]) -> None:
    project = sample("nextjs-app-router")
    # The skeleton's run (markers, nine tasks): its figures are the ones asserted below.
    result = await Run(RunConfig(install_dir=project, stub=True), OfflineAgent()).execute()
    assert result.exit_code == 0
    events = _events(project)
    entries = _entries(events)
    shown = [e.text for e in entries if not e.internal]

    # Every task transition of the audit is one visible line, and nothing else repeats it.
    transitions = [e for e in events if isinstance(e, AuditRecord) and e.event in TRANSITIONS and e.task_id]
    for task_id, count in Counter(e.task_id for e in transitions).items():
        assert sum(1 for line in shown if line.endswith(f" {task_id}")) == count, task_id
    assert not any("orchestrator task" in line for line in shown)  # no telemetry echoes
    # The offline agent uses no tokens, so no line talks about tokens at all.
    assert not any("token" in e.text for e in entries)
    # Figures and bookkeeping are there for whoever asks, and only then.
    internal = [e.text for e in entries if e.internal]
    assert any("agent capture: 4 turns" in line for line in internal)
    assert sum(1 for line in shown if " finished " in line and "the run: 9/9 done" in line) == 1


def test_an_interrupted_run_never_says_it_finished(install_dir: Path) -> None:
    run = mid_run(install_dir)
    run.store.interrupt("t-003")
    run.store.audit("interrupted")
    run.fact(RUN_FINISHED, tasks_total=8, tasks_done=3, interrupted=True, total_duration_ms=4000)
    run.store.audit("flush")
    run.close()
    entries = _entries(_events(install_dir))
    shown = [e.text for e in entries if not e.internal]
    assert not any("finished" in line for line in shown)
    assert any("interrupted" in line and "Identify users" in line for line in shown)
    assert shown[-1].split("s ", 1)[1].startswith("interrupted the run — continue it with --resume")
    # The figures of the stopped run and the final flush are internals, in words.
    assert {e.text.split("· ", 1)[1] for e in entries if e.internal} >= {
        "figures of the stopped run: 3/8 done in 4.00s",
        "wrote the queue file a last time before stopping",
    }


def test_resume_and_a_reset_read_as_words(install_dir: Path) -> None:
    run = ScriptedRun(install_dir)
    task_id = run.enqueue("init", "Initialise PostHog")
    run.start(task_id)
    run.store.interrupt(task_id)
    run.store.reset_for_resume(task_id)
    run.store.audit("resume", set_aside=["markers/t-009.txt"])
    run.close()
    shown = [e.text for e in _entries(_events(install_dir)) if not e.internal]
    assert "reset       Initialise PostHog (back to pending after the stop) · init t-001" in shown[-2]
    assert shown[-1].endswith("resumed     the run (1 stray file(s) set aside)")


def test_a_resumed_run_says_its_time_counts_from_the_resume(install_dir: Path) -> None:
    """The log's offsets count from the run's first start; the run's figures, from this session's."""
    run = ScriptedRun(install_dir)
    run.fact(RUN_FINISHED, tasks_total=2, tasks_done=2, total_duration_ms=1500)
    run.store.audit("resume")
    run.fact(RUN_FINISHED, tasks_total=2, tasks_done=2, total_duration_ms=500)
    run.close()
    finished = [e.text for e in _entries(_events(install_dir)) if "the run: 2/2 done" in e.text]
    assert finished[0].endswith("the run: 2/2 done in 1.50s")
    assert finished[1].endswith("the run: 2/2 done in 500ms since it resumed")


def test_a_model_agent_shows_its_tokens(install_dir: Path) -> None:
    run = ScriptedRun(install_dir)
    run.fact(
        AGENT_ENDED,
        task_type="init",
        turns=5,
        input_tokens=12_345,
        output_tokens=678,
        cache_read_input_tokens=9_000,
        duration_ms=2_500,
    )
    run.close()
    [entry] = _entries(_events(install_dir))
    assert entry.internal
    assert entry.text.endswith("agent init: 5 turns in 2.50s, 12,345 tokens in, 678 out (9,000 from the cache)")
