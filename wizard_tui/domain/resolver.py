"""Task type -> what its fresh agent gets: model, tools, system prompt and task prompt.

The system prompt and the tool list are the same for every task agent of a run (see
`shared_prompt`), so a model backend caches them once; everything specific to one task (its
type, inputs, the tools it may call and the handoffs of its ancestors) comes after, in the
task prompt.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from wizard_tui.domain.claude_models import capped
from wizard_tui.domain.models import Task
from wizard_tui.domain.prompts import STUB_TYPE, PromptLibrary
from wizard_tui.domain.shared_prompt import RunFacts, SharedPrompt, shared_task_prompt, task_tools

ORCHESTRATOR_PREAMBLE = """\
You are the orchestrator of the PostHog setup wizard. You inspect the user's project
read-only and seed a queue of small tasks for other agents. Never create, change or delete
any file of the user's project.
"""


@dataclass(frozen=True)
class ResolvedAgent:
    """Everything a backend needs to run one agent."""

    kind: str  # "orchestrator" or "task"
    agent_type: str
    model: str
    tools: tuple[str, ...]
    system: str
    prompt: str
    max_turns: int
    body: str = ""  # the type of the prompt file whose body runs: the task's own type, or "stub"
    system_tail: str = ""  # a second system block, after the shared one (the install intent)
    offered_tools: tuple[str, ...] = ()  # the tools the model is shown, when more than `tools` (see shared_prompt)


def pick_model(*, forced: str | None, enqueued: str | None, front_matter: str | None, default: str) -> str:
    """`--model` (every agent), else the enqueue's override, the front matter, the run default.

    Without `--model` the run default is also the ceiling: a prompt naming a dearer model is
    held to it (the enqueue guard already refuses a dearer override).
    """
    if forced:
        return forced
    return capped(enqueued or front_matter or default, default)


def ancestors(task: Task, tasks: Mapping[str, Task]) -> list[Task]:
    """Every transitive dependency of `task`, each once, roots first (queue order breaks ties)."""
    seen: set[str] = set()
    stack = list(task.depends_on)
    while stack:
        dep = stack.pop()
        if dep in seen or dep not in tasks:
            continue
        seen.add(dep)
        stack.extend(tasks[dep].depends_on)
    if not seen:
        return []
    position = {task_id: n for n, task_id in enumerate(tasks)}
    found = [tasks[i] for i in seen]
    # Roots first: by depth in the dependency graph, then by queue order.
    level: dict[str, int] = {}

    def depth_of(t: Task) -> int:
        if t.id not in level:
            level[t.id] = 1 + max((depth_of(tasks[d]) for d in t.depends_on if d in tasks), default=-1)
        return level[t.id]

    return sorted(found, key=lambda t: (depth_of(t), position[t.id]))


def render_handoff_context(items: list[Task]) -> str:
    if not items:
        return "No previous steps: you are a root task."
    blocks = []
    for t in items:
        if t.handoff is None:
            blocks.append(f"### {t.id} ({t.type}, {t.status.value})\nNo handoff.")
            continue
        h = t.handoff
        lines = [
            f"### {t.id} ({t.type}, {t.status.value})",
            f"- goal: {h.goal}",
            f"- did: {h.did}",
            f"- for next agent: {h.for_next_agent}",
        ]
        if h.files_touched:
            lines.append(f"- files touched: {', '.join(h.files_touched)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def resolve_task(
    task: Task,
    library: PromptLibrary,
    tasks: Mapping[str, Task],
    *,
    forced_model: str | None,
    default_model: str,
    stub: bool = False,
    shared: SharedPrompt | None = None,
) -> ResolvedAgent:
    """What a task's agent gets: the run's `shared` prefix (see `shared_prompt`), then its own task.

    With `stub` (`--stub`) every type runs the stub body with its tools, and `enqueue_task`
    only where the type's own prompt allows it.
    """
    type_prompt = library.types[task.type]
    body = library.body_for(task.type, stub=stub)
    shared = shared or shared_task_prompt(library, RunFacts(), stub=stub)
    tools = task_tools(library, task.type, stub=stub)
    inputs = json.dumps(task.inputs, indent=2, sort_keys=True) if task.inputs else "{}"
    goal = type_prompt.section("Goal")
    success = type_prompt.section("How you know you succeeded")
    section = f"`{body.meta.type}` body" if body is not type_prompt else f"task type `{task.type}`"
    prompt = "\n\n".join(
        [
            f"# Your task: {task.label}",
            f"- task id: {task.id}\n- type: {task.type}\n- why it was enqueued: {task.reason or 'n/a'}\n"
            f"- follow the section of the {section} in the system prompt\n"
            f"- tools you may call: {', '.join(tools)}",
            f"## Goal of this task type\n\n{goal}",
            f"## How this task type knows it succeeded\n\n{success}",
            f"## Your inputs\n\n```json\n{inputs}\n```",
            f"## Context from previous steps\n\n{render_handoff_context(ancestors(task, tasks))}",
        ]
    )
    model = pick_model(
        forced=forced_model,
        enqueued=task.model,
        front_matter=type_prompt.meta.model or body.meta.model,
        default=default_model,
    )
    return ResolvedAgent(
        kind="task",
        agent_type=task.type,
        model=model,
        tools=tools,
        system=shared.system,
        prompt=prompt,
        max_turns=type_prompt.meta.max_turns,
        body=body.meta.type,
        system_tail=shared.tail,
        offered_tools=shared.tools,
    )


MAX_EXISTING_SHOWN = 100


def existing_tasks_note(tasks: Mapping[str, Task]) -> str:
    """What a resumed orchestrator is told: the tasks it enqueued before the run stopped."""
    lines = [
        f"- {t.id} ({t.type}, {t.status.value}): {t.label}"
        + (f" after {', '.join(t.depends_on)}" if t.depends_on else "")
        for t in list(tasks.values())[:MAX_EXISTING_SHOWN]
    ]
    more = len(tasks) - len(lines)
    if more > 0:
        lines.append(f"- ... and {more} more")
    return (
        "This run was resumed: the queue already holds these tasks, enqueued before it stopped. "
        "Do not enqueue them again; use their ids in depends_on and enqueue only what is missing.\n" + "\n".join(lines)
    )


def resolve_orchestrator(
    library: PromptLibrary,
    *,
    install_dir_name: str,
    forced_model: str | None,
    default_model: str,
    stub: bool = False,
    existing: Mapping[str, Task] | None = None,
) -> ResolvedAgent:
    """The orchestrator's agent. Under `--stub` its `body` says so, so that a backend that follows
    the prompts in code (the offline agent) seeds the skeleton's graph, without review and report."""
    seed = library.seed
    system = f"{ORCHESTRATOR_PREAMBLE}\n{seed.body.strip()}\n"
    prompt = (
        f"The user's project is `{install_dir_name}` (paths in your tools are relative to it).\n"
        f"Valid task types: {', '.join(library.task_types)}.\n"
        + (f"{existing_tasks_note(existing)}\n" if existing else "")
        + "Seed the queue now."
    )
    return ResolvedAgent(
        kind="orchestrator",
        agent_type=seed.meta.type,
        model=pick_model(forced=forced_model, enqueued=None, front_matter=seed.meta.model, default=default_model),
        tools=tuple(seed.meta.tools),
        system=system,
        prompt=prompt,
        max_turns=seed.meta.max_turns,
        body=STUB_TYPE if stub else seed.meta.type,
    )
