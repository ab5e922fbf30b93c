"""Tokens each fresh task agent is sent, how much of it the prompt cache serves, and what
the tool definitions leave a model to get wrong.

A whole run goes through the anthropic backend to the fake Messages API (loopback), whose
tokenizer counts len(text)/4 per block and whose prompt cache reads a prefix identical to
one an earlier request wrote, and caches nothing under each model's minimum cacheable
length (the registry's: 4,096 tokens for Haiku 4.5, 2,048 for Sonnet 4.6), as the real API
does. Task agents share one prefix (tools and system, see domain/shared_prompt.py) that is
long enough to be cached. Runs: `--stub` (the skeleton) and the real task bodies, each with
a scripted model; a last pair of runs counts the correction turns of a scripted model that
knows tools only from their definitions, with today's definitions and with the enum and the
"ends your agent" sentence taken out.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.fakes.literal_model import LiteralModel, correction_turns
from tests.support.fakes.messages_api import Exchange, FakeMessagesAPI, Responder, task_id_of
from tests.support.fakes.skeleton_model import SkeletonModel
from wizard_tui.agents.anthropic_agent import AnthropicAgent
from wizard_tui.engine.run import Run, RunConfig
from wizard_tui.engine.tools import ALL_TOOLS

REPO = Path(__file__).resolve().parent.parent
SAMPLE = "nextjs-app-router"
BILLED_FIRST_TARGET = 3_000
CACHE_SHARE_TARGET = 0.60
ORIGINAL_WIZARD_TOKENS = 113_000  # start-up context of each fresh agent in the TypeScript wizard
CACHE_READ_WEIGHT, CACHE_WRITE_WEIGHT = 0.1, 1.25  # what a cached token costs next to a plain one


@dataclass
class RunFigures:
    """Per task agent (in start order): first-request tokens, and input/cache-read over all its requests."""

    first_total: list[int]
    first_billed: list[float]  # input-token equivalents at cache prices
    task_input: list[int]
    task_cached: list[int]
    orchestrator_input: int
    orchestrator_cached: int
    model_turns: int
    corrections: int
    exit_code: int

    def cache_share_from_second(self) -> float:
        total = sum(self.task_input[1:])
        return sum(self.task_cached[1:]) / total if total else 0.0


async def _run(project: Path, model: Responder, floors: int | None, stub: bool) -> tuple[int, list[Exchange]]:
    with FakeMessagesAPI(model, cache_min_tokens=floors) as api:
        agent = AnthropicAgent(api_key="sk-ant-test", base_url=api.base_url)
        try:
            result = await Run(RunConfig(install_dir=project, stub=stub), agent).execute()
        finally:
            await agent.aclose()
        return result.exit_code, list(api.exchanges)


def measure(
    *, floors: int | None = None, stub: bool = True, model: Responder | None = None, sample: str = SAMPLE
) -> RunFigures:
    """One run; `floors` None: the real per-model cache floors, 0: cache anything."""
    responder = model or (SkeletonModel() if stub else SkeletonModel(first_call="read_handoffs"))
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / sample
        shutil.copytree(REPO / "sample_projects" / sample, project)
        exit_code, exchanges = asyncio.run(_run(project, responder, floors, stub))
    order: list[str] = []
    by_task: dict[str, list[Exchange]] = {}
    orchestrator: list[Exchange] = []
    for e in exchanges:
        task_id = task_id_of(e.request)
        if e.usage is None or not e.request.tool_names:  # not the one-token check
            continue
        if task_id is None:
            orchestrator.append(e)
            continue
        if task_id not in by_task:
            order.append(task_id)
        by_task.setdefault(task_id, []).append(e)
    firsts = [by_task[t][0].usage for t in order]
    return RunFigures(
        first_total=[u.total for u in firsts if u],
        first_billed=[
            u.input_tokens
            + CACHE_READ_WEIGHT * u.cache_read_input_tokens
            + CACHE_WRITE_WEIGHT * u.cache_creation_input_tokens
            for u in firsts
            if u
        ],
        task_input=[sum(e.usage.total for e in by_task[t] if e.usage) for t in order],
        task_cached=[sum(e.usage.cache_read_input_tokens for e in by_task[t] if e.usage) for t in order],
        orchestrator_input=sum(e.usage.total for e in orchestrator if e.usage),
        orchestrator_cached=sum(e.usage.cache_read_input_tokens for e in orchestrator if e.usage),
        model_turns=sum(1 for e in exchanges if e.request.tool_names),
        corrections=correction_turns(exchanges),
        exit_code=exit_code,
    )


@contextlib.contextmanager
def vague_definitions() -> Iterator[None]:
    """The tool definitions without the task-type enum and without complete_task's ending sentence."""
    enqueue, complete = ALL_TOOLS["enqueue_task"], ALL_TOOLS["complete_task"]
    ALL_TOOLS["enqueue_task"] = dataclasses.replace(
        enqueue, decl=dataclasses.replace(enqueue.decl, task_type_fields=())
    )
    vague = dataclasses.replace(complete.decl, description="Report your task's outcome, with a handoff.")
    ALL_TOOLS["complete_task"] = dataclasses.replace(complete, decl=vague)
    try:
        yield
    finally:
        ALL_TOOLS["enqueue_task"], ALL_TOOLS["complete_task"] = enqueue, complete


def _verdict(ok: bool, target: str) -> str:
    return f"{target}: {'ok' if ok else 'MISSED'}"


def _share_row(name: str, figures: RunFigures) -> tuple[str, str, str]:
    share = figures.cache_share_from_second()
    return (
        name,
        f"{share:.0%} of {sum(figures.task_input[1:]):,} tokens",
        _verdict(share >= CACHE_SHARE_TARGET, f">= {CACHE_SHARE_TARGET:.0%}"),
    )


def run() -> list[tuple[str, str, str]]:
    stub = measure()
    real = measure(stub=False)
    ideal = measure(floors=0)
    literal = measure(model=LiteralModel())
    with vague_definitions():
        vague = measure(model=LiteralModel())
    billed = max(stub.first_billed[1:])
    rows = [
        (
            "tokens: task agent's first request, 2nd agent on",
            f"{statistics.median(stub.first_total[1:]):,.0f} tokens (shared prefix, cached); billed like "
            f"max {billed:,.0f} plain input tokens",
            _verdict(billed <= BILLED_FIRST_TARGET, f"<= {BILLED_FIRST_TARGET:,} billed")
            + f" ({ORIGINAL_WIZARD_TOKENS // max(1, int(billed))}x less than the original's ~113k)",
        ),
        _share_row("cache: task input read from cache, 2nd task on (--stub, real floors)", stub),
        _share_row("cache: same, real task bodies (real floors)", real),
        (
            "cache: same, --stub with no floor at all",
            f"{ideal.cache_share_from_second():.0%}",
            "info",
        ),
        (
            "cache: orchestrator input read from cache",
            f"{stub.orchestrator_cached / max(1, stub.orchestrator_input):.0%} of {stub.orchestrator_input:,} tokens",
            "info",
        ),
        (
            "tools: correction turns of a definitions-only model",
            f"{literal.corrections} of {literal.model_turns} turns; without the type enum and complete_task's "
            f"ending sentence: {vague.corrections} of {vague.model_turns}",
            _verdict(literal.corrections == 0, "0"),
        ),
    ]
    codes = [f.exit_code for f in (stub, real, ideal, literal, vague)]
    if any(codes):
        rows.append(("tokens: run exit codes", ", ".join(map(str, codes)), "expected 0: MISSED"))
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
