"""Every SPEC §7 event, with its properties, as whole runs emit them to `telemetry.jsonl`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support.clock import FrozenClock, SequentialIds
from tests.support.detection import FixedDetection
from tests.support.samples import copy_sample
from tests.support.scripted import SKELETON, ScriptedBackend
from wizard_tui.agents.base import AgentOutcome, AgentRequest
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain.claude_models import MODELS
from wizard_tui.domain.guards import GUARD_NAMES
from wizard_tui.domain.metrics import RunMetrics
from wizard_tui.domain.models import AuditRecord
from wizard_tui.domain.persistence import iter_jsonl
from wizard_tui.domain.prompts import load_prompts
from wizard_tui.engine.run import Run, RunConfig, RunResult
from wizard_tui.telemetry.derive import derive
from wizard_tui.telemetry.emitter import restrict
from wizard_tui.telemetry.events import EVENTS, event_problems, vocabulary

# The property names the product spec itself requires of each event (the models may add declared extras).
SPEC_PROPERTIES: dict[str, frozenset[str]] = {
    "orchestrator started": frozenset(),
    "orchestrator task enqueued": frozenset({"type", "enqueued_by", "depth", "dynamic"}),
    "orchestrator seeded": frozenset({"task_count", "types", "duration_ms"}),
    "orchestrator task started": frozenset({"type", "model", "attempts", "ms_since_run_start"}),
    **{
        f"orchestrator task {end}": frozenset({"type", "model", "attempts", "duration_ms"})
        for end in ("completed", "failed", "skipped", "blocked")
    },
    "orchestrator guard tripped": frozenset({"guard", "type"}),
    "agent completed": frozenset(
        {
            "task_type",
            "model",
            "turns",
            "input_tokens",
            "output_tokens",
            "cache_read_input_tokens",
            "cache_creation_input_tokens",
            "duration_ms",
        }
    ),
    "orchestrator run finished": frozenset(RunMetrics.model_fields),
}


@pytest.fixture
def fixed_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wizard_tui.detection.detect_project", lambda root: FixedDetection())


class GuardTrippingBackend(ScriptedBackend):
    """The scripted graph, plus one enqueue of an unknown type that the guards refuse."""

    async def run(self, request: AgentRequest) -> AgentOutcome:
        if request.agent.kind == "orchestrator":
            refused = await request.tools.call(
                "enqueue_task", {"type": "bogus", "label": "nope", "reason": "to trip a guard"}
            )
            assert refused.is_error
        return await super().run(request)


async def scripted_run(tmp_path: Path, backend: ScriptedBackend, **config: Any) -> tuple[RunResult, Path]:
    """A whole run of a scripted backend on a one-file project, with a frozen clock and sequential ids."""
    project = tmp_path / "proj"
    project.mkdir()
    (project / "index.js").write_text("console.log(1)\n")
    sinks = config.pop("sinks", None)
    run = Run(
        RunConfig(install_dir=project, stub=True, **config),
        backend,  # type: ignore[arg-type]
        clock=FrozenClock(step=0.001),
        ids=SequentialIds(),
        sinks=sinks,
    )
    return await run.execute(), project


def lines_of(project: Path) -> list[dict[str, Any]]:
    return list(iter_jsonl(project / ".posthog-wizard" / "telemetry.jsonl"))


def assert_contract(lines: list[dict[str, Any]], result: RunResult) -> None:
    """Each line fits its event's contract, carries the §7 properties, and agrees with the result."""
    assert lines, "no telemetry was written"
    for line in lines:
        assert set(line) == {"event", "ts", "run_id", "properties"}
        assert line["run_id"] == result.run_id
        assert event_problems(line["event"], line["properties"]) == [], line
        assert SPEC_PROPERTIES[line["event"]] <= set(line["properties"]), line
    assert [line["ts"] for line in lines] == sorted(line["ts"] for line in lines)
    assert lines[0]["event"] == "orchestrator started"
    assert lines[-1]["event"] == "orchestrator run finished"
    assert result.metrics is not None
    finished = lines[-1]["properties"]
    assert {k: finished[k] for k in result.metrics.model_dump()} == result.metrics.model_dump()
    counts = Counter(line["event"] for line in lines)
    m = result.metrics
    assert counts["orchestrator task completed"] == m.tasks_done
    assert counts["orchestrator task skipped"] == m.tasks_skipped
    assert counts["orchestrator task failed"] == m.tasks_failed
    assert counts["orchestrator task blocked"] == m.tasks_blocked
    assert counts["orchestrator task enqueued"] == m.tasks_total


async def test_an_offline_run_emits_the_happy_path_events(tmp_path: Path, fixed_detection: None) -> None:
    project = copy_sample("nextjs-app-router", tmp_path)
    result = await Run(
        RunConfig(install_dir=project, stub=True), OfflineAgent(), clock=FrozenClock(step=0.001), ids=SequentialIds()
    ).execute()
    assert result.exit_code == 0
    lines = lines_of(project)
    assert_contract(lines, result)
    by_event: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_event.setdefault(line["event"], []).append(line["properties"])

    seeded = by_event["orchestrator seeded"]
    assert len(seeded) == 1
    assert seeded[0]["task_count"] == 6 and seeded[0]["duration_ms"] > 0
    assert seeded[0]["types"] == ["capture", "identify", "init", "install", "llm-analytics", "plan-capture"]

    enqueued = by_event["orchestrator task enqueued"]
    assert [e["dynamic"] for e in enqueued].count(True) == result.metrics.dynamic_enqueue_count == 3  # type: ignore[union-attr]
    for e in enqueued:
        assert (e["enqueued_by"], e["depth"]) == (("task", 1) if e["dynamic"] else ("orchestrator", 0))

    started = by_event["orchestrator task started"]
    assert len(started) == 9 and all(s["attempts"] == 1 for s in started)
    since = [s["ms_since_run_start"] for s in started]
    assert since == sorted(since) and since[0] > 0
    assert len(by_event["orchestrator task completed"]) == 9
    assert len(by_event["agent completed"]) == 10  # the orchestrator and nine tasks
    # Pipelined: the first tasks may finish before the orchestrator does; it reports once.
    assert [a["task_type"] for a in by_event["agent completed"]].count("integrate-posthog") == 1


async def test_failed_skipped_blocked_and_guard_events_carry_their_properties(tmp_path: Path) -> None:
    backend = GuardTrippingBackend(SKELETON, {"identify": "skip", "plan-capture": "never"})
    result, project = await scripted_run(tmp_path, backend)
    assert result.exit_code == 1
    lines = lines_of(project)
    assert_contract(lines, result)
    events = {line["event"] for line in lines}
    assert events == set(EVENTS)  # this run emits every event of §7

    def only(event: str) -> dict[str, Any]:
        matching = [line["properties"] for line in lines if line["event"] == event]
        assert len(matching) == 1, (event, matching)
        return matching[0]

    # The type the model asked for is its own text, not a known type: telemetry says `other`.
    assert only("orchestrator guard tripped") == {"guard": "unknown-type", "type": "other"}
    assert only("orchestrator task skipped") == {
        "type": "identify",
        "model": "claude-haiku-4-5",
        "attempts": 1,
        "duration_ms": only("orchestrator task skipped")["duration_ms"],
    }
    failed = only("orchestrator task failed")
    assert (failed["type"], failed["attempts"], failed["error_kind"]) == ("plan-capture", 2, "no-report")
    blocked = only("orchestrator task blocked")
    assert blocked["type"] == "capture" and blocked["blocked_by"] == backend.ids["plan"]
    assert blocked["duration_ms"] == 0 and blocked["attempts"] == 0
    finished = only("orchestrator run finished")
    assert finished["retried_task_count"] == 1 and finished["ok"] is False and finished["interrupted"] is False
    started_attempts = [
        line["properties"]["attempts"] for line in lines if line["event"] == "orchestrator task started"
    ]
    assert started_attempts.count(2) == 1  # the retry of plan-capture


async def test_tasks_the_backstop_never_started_are_reported_failed(tmp_path: Path) -> None:
    result, project = await scripted_run(tmp_path, ScriptedBackend(SKELETON), max_starts=2)
    assert result.exit_code == 1
    lines = lines_of(project)
    assert_contract(lines, result)
    kinds = [line["properties"]["error_kind"] for line in lines if line["event"] == "orchestrator task failed"]
    assert kinds == ["backstop"] * 3


async def test_every_telemetry_line_is_derived_from_one_audit_line_of_the_same_instant(tmp_path: Path) -> None:
    """One event stream: each §7 event restates one recorded fact, at that fact's time; none is emitted apart."""
    backend = GuardTrippingBackend(SKELETON, {"identify": "skip", "plan-capture": "never"})
    result, project = await scripted_run(tmp_path, backend)
    audit = list(iter_jsonl(project / ".posthog-wizard" / "audit.jsonl"))
    lines = lines_of(project)
    assert_contract(lines, result)
    # Words the model chose (the refused type `bogus`) go out as `other`: the run's vocabulary.
    library = load_prompts()
    words = vocabulary(
        task_types={*library.task_types, library.seed.meta.type},
        models={*MODELS, backend.default_model},
        guards=GUARD_NAMES,
    )
    derived = []
    for record in audit:
        found = derive(AuditRecord.model_validate(record))
        if found is not None:
            name, properties = found
            derived.append((record["ts"], name, restrict(properties, words)))
    assert [(line["ts"], line["event"], line["properties"]) for line in lines] == derived
