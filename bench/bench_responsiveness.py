"""Responsiveness with a model: every model turn takes 300 ms on a fake Messages API (loopback).

The skeleton runs on a sample project through the real anthropic backend, pipelined and with
`--no-pipeline`, in the same process. Reports time to first task start, the longest silence
(max_gap_ms) and the total wall time, next to the floor: the number of model turns the run
made times 300 ms, as if every turn ran one after another. Target: the first task starts
within 1.5 turns of model latency when pipelined.

Run: .venv/bin/python -m bench responsiveness
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.fakes.messages_api import FakeMessagesAPI
from tests.support.fakes.skeleton_model import SkeletonModel
from wizard_tui.agents.anthropic_agent import AnthropicAgent
from wizard_tui.engine.run import Run, RunConfig

REPO = Path(__file__).resolve().parent.parent
SAMPLE = "nextjs-app-router"
TURN_S = 0.300


def _slow(model: SkeletonModel) -> Any:
    def respond(request: Any) -> Any:
        time.sleep(TURN_S)  # the server answers each request on its own thread
        return model(request)

    return respond


async def _run(project: Path, pipeline: bool) -> tuple[Any, int, float]:
    with FakeMessagesAPI(_slow(SkeletonModel())) as api:
        agent = AnthropicAgent(api_key="sk-ant-test", base_url=api.base_url)
        started = time.perf_counter()
        try:
            result = await Run(RunConfig(install_dir=project, stub=True, pipeline=pipeline), agent).execute()
        finally:
            await agent.aclose()
        wall = time.perf_counter() - started
        assert result.exit_code == 0, result.message
        return result.metrics, len(api.exchanges), wall


def run() -> list[tuple[str, str, str]]:
    rows = []
    for pipeline in (True, False):
        with tempfile.TemporaryDirectory(prefix="wizard-bench-") as tmp:
            project = Path(tmp) / SAMPLE
            shutil.copytree(REPO / "sample_projects" / SAMPLE, project)
            metrics, turns, wall = asyncio.run(_run(project, pipeline))
        floor_ms = turns * TURN_S * 1000
        first = metrics.time_to_first_task_ms or 0
        mode = "pipelined" if pipeline else "--no-pipeline"
        target = (
            f"< {1.5 * TURN_S * 1000:.0f} ms (1.5 turns): {'ok' if first < 1.5 * TURN_S * 1000 else 'MISSED'}"
            if pipeline
            else "info (seed then drain)"
        )
        rows.append(
            (
                f"model 300 ms/turn, {mode}: first task start",
                f"{first} ms ({first / (TURN_S * 1000):.2f} turns)",
                target,
            )
        )
        rows.append(
            (
                f"model 300 ms/turn, {mode}: longest silence, total",
                f"max_gap {metrics.max_gap_ms} ms, total {wall * 1000:.0f} ms",
                f"floor {floor_ms:.0f} ms ({turns} turns one after another); total/floor {wall * 1000 / floor_ms:.2f}",
            )
        )
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    for row in run():
        print(" | ".join(row))
