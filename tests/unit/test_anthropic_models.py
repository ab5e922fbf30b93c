"""Which model each agent gets, and how the CLI builds the anthropic backend from the environment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fakes.agent_requests import task_request
from tests.fakes.messages_api import FakeMessagesAPI, Turn, text
from tests.toolkit import Harness
from wizard_tui.agents.anthropic_agent import DEFAULT_MODEL, AnthropicAgent
from wizard_tui.cli import choose_backend, main
from wizard_tui.domain.clock import FrozenClock
from wizard_tui.domain.models import Task
from wizard_tui.domain.prompts import default_prompt_dir, load_prompts
from wizard_tui.domain.resolver import resolve_orchestrator, resolve_task


def make_task(task_type: str, model: str | None = None) -> Task:
    return Task(id="t-1", type=task_type, label="x", model=model, created_at=FrozenClock().now())


def test_stub_tasks_get_the_cheap_model_and_the_seed_a_stronger_one() -> None:
    library = load_prompts()
    for task_type in library.task_types:
        agent = resolve_task(make_task(task_type), library, {}, run_default_model=None, fallback_model=DEFAULT_MODEL)
        assert agent.model == "claude-haiku-4-5", task_type
    seed = resolve_orchestrator(library, install_dir_name="app", run_default_model=None, fallback_model=DEFAULT_MODEL)
    assert seed.model.startswith("claude-sonnet-")


def test_precedence_enqueue_override_then_front_matter_then_run_default_then_backend_default(tmp_path: Path) -> None:
    library = load_prompts()
    task = make_task("capture", model="claude-opus-4-5")
    override = resolve_task(task, library, {}, run_default_model="claude-sonnet-4-6", fallback_model=DEFAULT_MODEL)
    assert override.model == "claude-opus-4-5"
    front = resolve_task(
        make_task("capture"), library, {}, run_default_model="claude-sonnet-4-6", fallback_model=DEFAULT_MODEL
    )
    assert front.model == "claude-haiku-4-5"

    # Prompts that name no model fall to --model, then to the backend's default.
    bare = tmp_path / "prompts"
    shutil.copytree(default_prompt_dir(), bare)
    for path in bare.glob("*.md"):
        path.write_text("".join(line for line in path.read_text().splitlines(True) if not line.startswith("model:")))
    silent = load_prompts(bare)
    run_default = resolve_task(
        make_task("capture"), silent, {}, run_default_model="claude-opus-4-5", fallback_model=DEFAULT_MODEL
    )
    assert run_default.model == "claude-opus-4-5"
    fallback = resolve_task(make_task("capture"), silent, {}, run_default_model=None, fallback_model=DEFAULT_MODEL)
    assert fallback.model == DEFAULT_MODEL


async def test_the_request_carries_the_resolved_model(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    harness = Harness(project)
    with FakeMessagesAPI(lambda _r: Turn([text("no")])) as api:
        agent = AnthropicAgent(api_key="sk-ant-test", base_url=api.base_url, nudges=0)
        request, _ = task_request(harness, "init", model="claude-opus-4-5")
        await agent.run(request)
        await agent.aclose()
    assert [r.model for r in api.requests] == ["claude-opus-4-5"]


async def test_choose_backend_honours_the_key_and_anthropic_base_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "p"
    project.mkdir()
    harness = Harness(project)
    with FakeMessagesAPI(lambda _r: Turn([text("hello")]), valid_keys=["sk-ant-from-env"]) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-env")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        chosen = choose_backend(None, 0)
        assert not isinstance(chosen, str)
        backend, name = chosen
        assert name == "anthropic" and isinstance(backend, AnthropicAgent)
        request, _ = task_request(harness)
        outcome = await backend.run(request)
        await backend.aclose()
    assert outcome.turns >= 1 and len(api.requests) == outcome.turns


def test_agent_anthropic_without_a_key_is_exit_2_with_a_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    project = tmp_path / "p"
    project.mkdir()
    assert main([str(project), "--no-ui", "--agent", "anthropic", "--no-telemetry"]) == 2
    err = capsys.readouterr().err
    assert "needs ANTHROPIC_API_KEY" in err and "Traceback" not in err
    assert not (project / ".posthog-wizard").exists()
