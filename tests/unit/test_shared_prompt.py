"""The task agents' shared prefix: one for every task type, above the task model's cache floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fakes.prompt_cache import request_blocks
from tests.support.harness import Harness
from tests.support.samples import SAMPLE_NAMES, SAMPLES
from wizard_tui.detection import detect_project
from wizard_tui.domain.claude_models import lookup
from wizard_tui.domain.models import InstallIntent, Task
from wizard_tui.domain.persistence import read_install_intent
from wizard_tui.domain.prompts import load_prompts
from wizard_tui.domain.resolver import ResolvedAgent, resolve_task
from wizard_tui.domain.shared_prompt import RunFacts, SharedPrompts
from wizard_tui.domain.tools import TOOLS
from wizard_tui.domain.writers import atomic_write_model
from wizard_tui.engine.tools import ToolContext, build_toolbox

LIBRARY = load_prompts()


def resolved(task_type: str, facts: RunFacts, *, stub: bool) -> ResolvedAgent:
    task = Task(id=f"t-{task_type}", type=task_type, label=task_type, created_at="2026-01-01T00:00:00Z")
    shared = SharedPrompts(LIBRARY, stub=stub).current(facts)
    return resolve_task(
        task, LIBRARY, {}, forced_model=None, default_model="claude-sonnet-4-6", stub=stub, shared=shared
    )


def facts_of(sample: str) -> RunFacts:
    detection = detect_project(SAMPLES / sample).model_dump(mode="json")
    return RunFacts(framework=detection["framework"], detection=detection, install_intent=None)


@pytest.mark.parametrize("stub", [True, False], ids=["stub", "real-bodies"])
def test_every_task_type_gets_the_same_tools_and_system_and_its_own_prompt(stub: bool) -> None:
    facts = facts_of("django-app")
    agents = [resolved(t, facts, stub=stub) for t in LIBRARY.task_types]
    assert len({(a.offered_tools, a.system, a.system_tail) for a in agents}) == 1
    assert len({a.prompt for a in agents}) == len(agents)
    offered = agents[0].offered_tools
    assert list(offered) == [name for name in TOOLS if name in offered], "the declaration order"
    assert all(set(a.tools) <= set(offered) for a in agents)
    assert "django" in agents[0].system.lower() and '"framework": "django"' in agents[0].system


def test_the_install_intent_is_a_block_of_its_own_after_the_shared_one() -> None:
    before = resolved("init", facts_of("django-app"), stub=False)
    intent = {"sdks": ["posthog"], "package_manager": "pip", "reason": "Django."}
    after = resolved("init", RunFacts(**{**facts_of("django-app").__dict__, "install_intent": intent}), stub=False)
    assert before.system == after.system and before.system_tail == ""
    assert '"package_manager": "pip"' in after.system_tail


@pytest.mark.parametrize("stub", [True, False], ids=["stub", "real-bodies"])
@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_the_shared_prefix_is_long_enough_to_be_cached_by_the_task_model(
    sample: str, stub: bool, tmp_path: Path
) -> None:
    """The fake tokenizer (len/4) under-counts JSON and prose against the real one: a safe side."""
    agent = resolved("install", facts_of(sample), stub=stub)
    context = ToolContext(services=Harness(tmp_path).services, agent_id=agent.agent_type)
    tools = build_toolbox(agent.tools, context, offered=agent.offered_tools).definitions()
    body = {"tools": tools, "system": [{"type": "text", "text": agent.system}], "messages": []}
    prefix = sum(b.tokens for b in request_blocks(body))
    model = lookup(agent.model)
    assert model is not None and prefix >= model.min_cache_tokens, f"{prefix} tokens under {model.id}'s floor"


async def test_a_tool_outside_the_task_types_own_list_is_refused(harness: Harness) -> None:
    agent = resolved("install", RunFacts(), stub=True)
    assert "enqueue_task" in agent.offered_tools and "enqueue_task" not in agent.tools
    box = build_toolbox(
        agent.tools, ToolContext(services=harness.services, agent_id="t-1"), offered=agent.offered_tools
    )
    assert [d["name"] for d in box.definitions()] == list(agent.offered_tools)
    result = await box.call("enqueue_task", {"type": "capture", "label": "x", "reason": "y"})
    assert result.is_error and "not available to you" in result.content and harness.store.tasks == {}


def test_a_resumed_run_reads_the_recorded_install_intent_back(tmp_path: Path) -> None:
    path = tmp_path / "install-intent.json"
    intent = InstallIntent(sdks=["posthog"], package_manager="pip", reason="r", recorded_at="2026-01-01T00:00:00Z")
    atomic_write_model(path, intent, fsync=False)
    assert read_install_intent(path) == intent
    path.write_text("{torn")
    assert read_install_intent(path) is None
    path.unlink()
    (tmp_path / "elsewhere.json").write_text(intent.model_dump_json())
    path.symlink_to(tmp_path / "elsewhere.json")
    assert read_install_intent(path) is None, "a link in the run dir is never followed"
