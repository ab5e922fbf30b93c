"""Which model each agent gets, and how the CLI builds the anthropic backend from the environment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.clock import FrozenClock
from tests.support.fakes.agent_requests import task_request
from tests.support.fakes.messages_api import FakeMessagesAPI, Turn, text
from tests.support.harness import Harness
from wizard_tui.agents.anthropic_agent import AnthropicAgent
from wizard_tui.cli import choose_backend, main
from wizard_tui.domain.models import Task
from wizard_tui.domain.prompts import PromptError, default_prompt_dir, load_prompts
from wizard_tui.domain.resolver import resolve_orchestrator, resolve_task
from wizard_tui.domain.settings import DEFAULT_MODEL


def make_task(task_type: str, model: str | None = None) -> Task:
    return Task(id="t-1", type=task_type, label="x", model=model, created_at=FrozenClock().now())


def test_stub_tasks_get_the_cheap_model_and_the_seed_a_stronger_one() -> None:
    library = load_prompts()
    for task_type in library.task_types:
        agent = resolve_task(make_task(task_type), library, {}, forced_model=None, default_model=DEFAULT_MODEL)
        assert agent.model == "claude-haiku-4-5", task_type
    seed = resolve_orchestrator(library, install_dir_name="app", forced_model=None, default_model=DEFAULT_MODEL)
    assert seed.model.startswith("claude-sonnet-")


def test_prompts_that_name_no_model_run_on_the_run_model(tmp_path: Path) -> None:
    bare = tmp_path / "prompts"
    shutil.copytree(default_prompt_dir(), bare)
    for path in bare.glob("*.md"):
        path.write_text("".join(line for line in path.read_text().splitlines(True) if not line.startswith("model:")))
    silent = load_prompts(bare)
    fallback = resolve_task(make_task("capture"), silent, {}, forced_model=None, default_model=DEFAULT_MODEL)
    assert fallback.model == DEFAULT_MODEL


def test_a_prompt_naming_a_retired_model_is_refused_at_load(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(default_prompt_dir(), prompts)
    capture = prompts / "capture.md"
    capture.write_text(capture.read_text().replace("model: claude-haiku-4-5", "model: claude-3-5-haiku-latest"))
    with pytest.raises(PromptError, match="not a current Claude model"):
        load_prompts(prompts)


async def test_the_request_carries_the_resolved_model(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    harness = Harness(project)
    with FakeMessagesAPI(lambda _r: Turn([text("no")])) as api:
        agent = AnthropicAgent(api_key="sk-ant-test", base_url=api.base_url, nudges=0)
        request, _ = task_request(harness, "init", model="claude-haiku-5-5")
        await agent.run(request)
        await agent.aclose()
    assert [r.model for r in api.requests] == ["claude-haiku-5-5"]


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
