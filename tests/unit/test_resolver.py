"""The resolver: model precedence, tools, and the transitive context of previous steps."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from wizard_tui.domain.models import Handoff, Task, TaskStatus
from wizard_tui.domain.prompts import PromptLibrary, default_prompt_dir, load_prompts
from wizard_tui.domain.resolver import ancestors, pick_model, resolve_orchestrator, resolve_task

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def t(tid: str, type_: str, deps: list[str] | None = None, model: str | None = None) -> Task:
    return Task(
        id=tid,
        type=type_,
        label=f"{type_} label",
        depends_on=deps or [],
        created_at=NOW,
        model=model,
        status=TaskStatus.DONE,
        handoff=Handoff(goal=f"goal of {tid}", did=f"did {tid}", for_next_agent=f"next {tid}"),
    )


def graph() -> dict[str, Task]:
    tasks = [
        t("a", "install"),
        t("b", "init"),
        t("c", "plan-capture", ["a", "b"]),
        t("d", "capture", ["c"]),
        t("x", "identify", ["a"]),
    ]
    return {task.id: task for task in tasks}


def test_ancestors_are_transitive_roots_first_each_once() -> None:
    tasks = graph()
    assert [a.id for a in ancestors(tasks["d"], tasks)] == ["a", "b", "c"]
    assert ancestors(tasks["a"], tasks) == []


def test_task_prompt_holds_inputs_goal_and_every_ancestor_handoff() -> None:
    tasks = graph()
    tasks["d"].inputs = {"area": "signup page", "file": "app/signup/page.tsx"}
    agent = resolve_task(tasks["d"], load_prompts(), tasks, forced_model=None, default_model="fallback")
    assert agent.kind == "task" and agent.agent_type == "capture"
    assert "report exactly once" in agent.system.lower() and "never create, change or delete" in agent.system.lower()
    assert "signup page" in agent.prompt and "app/signup/page.tsx" in agent.prompt
    for tid in ("a", "b", "c"):
        assert f"goal of {tid}" in agent.prompt
    assert "goal of x" not in agent.prompt  # not an ancestor
    assert agent.prompt.index("goal of a") < agent.prompt.index("goal of c")
    assert agent.tools == tuple(load_prompts().types["capture"].meta.tools)


def test_system_prompt_is_shared_by_every_stub_task() -> None:
    tasks = graph()
    lib = load_prompts()
    systems = {
        resolve_task(task, lib, tasks, forced_model=None, default_model="f", stub=True).system
        for task in tasks.values()
    }
    assert len(systems) == 1


def test_model_precedence_forced_then_enqueue_then_front_matter_then_run_default() -> None:
    tasks = graph()
    lib = load_prompts()
    front = lib.types["init"].meta.model
    run = "claude-sonnet-4-6"
    assert resolve_task(tasks["b"], lib, tasks, forced_model=None, default_model=run).model == front
    tasks["b"].model = "claude-haiku-5-5"  # lowered by the enqueue
    assert resolve_task(tasks["b"], lib, tasks, forced_model=None, default_model=run).model == "claude-haiku-5-5"
    # --model beats the enqueue override and the front matter, for tasks and the orchestrator alike.
    forced = "claude-opus-4-8"
    assert resolve_task(tasks["b"], lib, tasks, forced_model=forced, default_model=run).model == forced
    assert resolve_orchestrator(lib, install_dir_name="a", forced_model=forced, default_model=run).model == forced
    assert pick_model(forced=None, enqueued=None, front_matter=None, default=run) == run


def test_without_model_flag_the_run_model_is_a_ceiling() -> None:
    run = "claude-sonnet-4-6"
    assert pick_model(forced=None, enqueued="claude-opus-4-8", front_matter=None, default=run) == run
    assert pick_model(forced=None, enqueued=None, front_matter="claude-fable-5-2", default=run) == run
    assert pick_model(forced=None, enqueued="claude-haiku-4-5", front_matter=None, default=run) == "claude-haiku-4-5"
    # --model is what the person asked for: never capped.
    assert pick_model(forced="claude-fable-5-2", enqueued=None, front_matter=None, default=run) == "claude-fable-5-2"


def test_orchestrator_gets_the_seed_prompt_and_tools() -> None:
    agent = resolve_orchestrator(load_prompts(), install_dir_name="app", forced_model=None, default_model="f")
    assert agent.kind == "orchestrator" and "enqueue_task" in agent.tools and "complete_task" not in agent.tools
    assert "plan-capture" in agent.prompt and "## Procedure" in agent.system


def _library_with_a_real_install_body(tmp_path: Path) -> PromptLibrary:
    """The repo's prompts, with `install` given a small body of its own and `init` resolving to the stub."""
    folder = tmp_path / "prompts"
    shutil.copytree(default_prompt_dir(), folder)
    (folder / "install.md").write_text(
        "---\ntype: install\nlabel: Install\ntools: [read_file, propose_edit, complete_task]\n---\n"
        "Declare the SDKs.\n\n## Goal\n\nDeclare them.\n\n## How you know you succeeded\n\nThey are declared.\n"
    )
    (folder / "init.md").write_text(
        "---\ntype: init\nlabel: Init\nbody: stub\ntools: [read_handoffs, write_marker, complete_task]\n---\n"
        "## Goal\n\nStart PostHog.\n\n## How you know you succeeded\n\nIt starts.\n"
    )
    return load_prompts(folder)


def test_stub_mode_gives_every_type_the_stub_body_and_its_tools(tmp_path: Path) -> None:
    library = _library_with_a_real_install_body(tmp_path)
    tasks = graph()
    real = resolve_task(tasks["a"], library, tasks, forced_model=None, default_model="claude-haiku-4-5")
    assert real.body == "install" and "Declare the SDKs." in real.system
    assert real.tools == ("read_file", "propose_edit", "complete_task")
    stub = resolve_task(tasks["a"], library, tasks, forced_model=None, default_model="claude-haiku-4-5", stub=True)
    assert stub.body == "stub" and "walking skeleton" in stub.system
    # The stub's tools, with enqueue_task only where the type itself may enqueue.
    assert stub.tools == ("read_handoffs", "write_marker", "complete_task")
    plan = resolve_task(tasks["c"], library, tasks, forced_model=None, default_model="claude-haiku-4-5", stub=True)
    assert plan.body == "stub" and "enqueue_task" in plan.tools
    assert "stub" not in library.task_types, "the stub is a body, never a task type"
    # Without --stub, a type that says `body: stub` still resolves to it (the skeleton's prompts).
    assert resolve_task(tasks["b"], library, tasks, forced_model=None, default_model="claude-haiku-4-5").body == "stub"
