"""Golden tests of `--no-ui` output: a scripted run's lines and JSON stream, against stored goldens.

A change to the headless format shows up here as a diff; accept it deliberately with
`pytest tests/unit/test_headless_golden.py --snapshot-update`.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from tests.support.clock import FrozenClock, SequentialIds
from tests.support.detection import FixedDetection
from tests.support.samples import copy_sample
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.engine.run import Run, RunConfig
from wizard_tui.headless import HeadlessPrinter

RUN_ID = "20260101-120000-golden"


@pytest.fixture(autouse=True)
def fixed_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wizard_tui.detection.detect_project", lambda root: FixedDetection())


async def headless_output(tmp_path: Path, *, json_lines: bool) -> str:
    """What `wizard-tui PROJECT --no-ui [--json]` prints for a fixed run, with its paths normalised."""
    project = copy_sample("nextjs-app-router", tmp_path)
    out = io.StringIO()
    printer = HeadlessPrinter(out, json_lines=json_lines)
    run = Run(
        # Seed then drain: pipelined, the orchestrator's tools that run in worker threads
        # interleave with the first tasks by real time, and a golden must not depend on that.
        RunConfig(install_dir=project, stub=True, pipeline=False),
        OfflineAgent(),
        clock=FrozenClock(step=0.001),
        ids=SequentialIds(),
        run_id=RUN_ID,
    )
    run.bus.subscribe(printer)
    result = await run.execute()
    printer.summary(result, str(project / ".posthog-wizard"), run.backend.name)
    assert result.exit_code == 0
    return out.getvalue().replace(str(project.resolve()), "<project>").replace(str(project), "<project>")


async def test_no_ui_lines_match_the_golden(tmp_path: Path, snapshot: SnapshotAssertion) -> None:
    text = await headless_output(tmp_path, json_lines=False)
    assert "longest silence" in text and "<project>/.posthog-wizard" in text
    assert text == snapshot


async def test_json_stream_matches_the_golden(tmp_path: Path, snapshot: SnapshotAssertion) -> None:
    text = await headless_output(tmp_path, json_lines=True)
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[-1]["kind"] == "summary" and lines[-1]["metrics"]["tasks_done"] == 9
    assert {line["kind"] for line in lines} == {"audit", "telemetry", "summary"}
    assert text == snapshot


async def test_the_output_is_the_same_on_every_run(tmp_path: Path) -> None:
    first = await headless_output(tmp_path / "a", json_lines=True)
    second = await headless_output(tmp_path / "b", json_lines=True)
    assert first == second


async def test_log_offsets_and_summary_timings_come_from_one_clock(tmp_path: Path) -> None:
    """The log counts from the first event; the summary's figures must count from the same instant."""
    lines = [json.loads(line) for line in (await headless_output(tmp_path, json_lines=True)).splitlines()]
    events, summary = lines[:-1], lines[-1]

    def offset_ms(line: dict[str, Any]) -> int:
        first, this = (datetime.fromisoformat(x["ts"]) for x in (events[0], line))
        return round((this - first).total_seconds() * 1000)

    first_start = next(line for line in events if line.get("event") == "start")
    first_done = next(line for line in events if line.get("event") == "complete")
    metrics = summary["metrics"]
    assert metrics["time_to_first_task_ms"] == offset_ms(first_start)
    assert metrics["time_to_first_completion_ms"] == offset_ms(first_done)
    last_done = [line for line in events if line.get("event") == "complete"][-1]
    assert metrics["total_duration_ms"] >= offset_ms(last_done)
