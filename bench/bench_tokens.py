"""Tokens each fresh task agent is sent, and how much of it the prompt cache serves.

A whole run goes through the anthropic backend to the fake Messages API (loopback), whose
tokenizer counts len(text)/4 per block and whose prompt cache reads a prefix identical to
one an earlier request wrote. The real API adds its tool-use system prompt (a few hundred
tokens) on top, and caches nothing below a model's floor (4,096 tokens for Haiku 4.5).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.fakes.messages_api import Exchange, FakeMessagesAPI, task_id_of
from tests.support.fakes.skeleton_model import SkeletonModel
from wizard_tui.agents.anthropic_agent import AnthropicAgent
from wizard_tui.engine.run import Run, RunConfig

REPO = Path(__file__).resolve().parent.parent
SAMPLE = "nextjs-app-router"
FIRST_REQUEST_TARGET = 3_000
CACHE_SHARE_TARGET = 0.60
ORIGINAL_WIZARD_TOKENS = 113_000  # start-up context of each fresh agent in the TypeScript wizard
REAL_FLOORS = {"claude-haiku-4-5": 4096, "claude-sonnet-4-6": 2048, "claude-sonnet-4-5": 1024}


@dataclass
class RunFigures:
    """Per task agent (in start order): first-request tokens, and input/cache-read over all its requests."""

    stub_first: list[int]
    other_first: dict[str, int]
    task_input: list[int]
    task_cached: list[int]
    orchestrator_input: int
    orchestrator_cached: int
    exit_code: int

    def cache_share_from_second(self) -> float:
        total = sum(self.task_input[1:])
        return sum(self.task_cached[1:]) / total if total else 0.0


async def _run(project: Path, floors: dict[str, int] | int) -> tuple[int, list[Exchange]]:
    with FakeMessagesAPI(SkeletonModel(), cache_min_tokens=floors) as api:
        agent = AnthropicAgent(api_key="sk-ant-test", base_url=api.base_url)
        try:
            result = await Run(RunConfig(install_dir=project, stub=True), agent).execute()
        finally:
            await agent.aclose()
        return result.exit_code, list(api.exchanges)


def measure(floors: dict[str, int] | int = 0, sample: str = SAMPLE) -> RunFigures:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / sample
        shutil.copytree(REPO / "sample_projects" / sample, project)
        exit_code, exchanges = asyncio.run(_run(project, floors))
    order: list[str] = []
    by_task: dict[str, list[Exchange]] = {}
    orchestrator: list[Exchange] = []
    for e in exchanges:
        task_id = task_id_of(e.request)
        if e.usage is None:
            continue
        if task_id is None:
            orchestrator.append(e)
            continue
        if task_id not in by_task:
            order.append(task_id)
        by_task.setdefault(task_id, []).append(e)
    stub_first: list[int] = []
    other_first: dict[str, int] = {}
    for task_id in order:
        first = by_task[task_id][0]
        assert first.usage is not None
        if "enqueue_task" in first.request.tool_names:  # plan-capture: a different tool set
            other_first[task_id] = first.usage.total
        else:
            stub_first.append(first.usage.total)
    return RunFigures(
        stub_first=stub_first,
        other_first=other_first,
        task_input=[sum(e.usage.total for e in by_task[t] if e.usage) for t in order],
        task_cached=[sum(e.usage.cache_read_input_tokens for e in by_task[t] if e.usage) for t in order],
        orchestrator_input=sum(e.usage.total for e in orchestrator if e.usage),
        orchestrator_cached=sum(e.usage.cache_read_input_tokens for e in orchestrator if e.usage),
        exit_code=exit_code,
    )


def _verdict(ok: bool, target: str) -> str:
    return f"{target}: {'ok' if ok else 'MISSED'}"


def run() -> list[tuple[str, str, str]]:
    ideal = measure()
    floored = measure(REAL_FLOORS)
    worst = max(ideal.stub_first)
    share = ideal.cache_share_from_second()
    rows = [
        (
            "tokens: stub task agent, first request",
            f"max {worst:,}, median {statistics.median(ideal.stub_first):,.0f} over {len(ideal.stub_first)} agents",
            _verdict(worst <= FIRST_REQUEST_TARGET, f"<= {FIRST_REQUEST_TARGET:,}")
            + f" ({ORIGINAL_WIZARD_TOKENS // worst}x less than the original's ~113k)",
        ),
        (
            "tokens: plan-capture agent, first request",
            ", ".join(f"{n:,}" for n in ideal.other_first.values()) or "n/a",
            "info (one more tool: enqueue_task)",
        ),
        (
            "cache: task input read from cache, 2nd task on",
            f"{share:.0%} of {sum(ideal.task_input[1:]):,} tokens",
            _verdict(share >= CACHE_SHARE_TARGET, f">= {CACHE_SHARE_TARGET:.0%}"),
        ),
        (
            "cache: orchestrator input read from cache",
            f"{ideal.orchestrator_cached / max(1, ideal.orchestrator_input):.0%} "
            f"of {ideal.orchestrator_input:,} tokens",
            "info",
        ),
        (
            "cache: same, with the real per-model cache floors",
            f"{floored.cache_share_from_second():.0%} (floors: Haiku 4.5 4,096, Sonnet 4.6 2,048 tokens)",
            "info: a stub agent's whole prompt is under Haiku 4.5's floor",
        ),
    ]
    if ideal.exit_code != 0 or floored.exit_code != 0:
        rows.append(("tokens: run exit codes", f"{ideal.exit_code}, {floored.exit_code}", "expected 0: MISSED"))
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
