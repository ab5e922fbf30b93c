"""What every task agent of a run is told alike: one system prompt and one tool list, cached once.

A model API caches a prompt's prefix (tools, then system) only when it is byte for byte the
same and longer than the model's floor (4,096 tokens for Haiku 4.5). So the task agents of
a run do not each get their own body and tools: they all get the run's whole playbook (every
task type's body, the handoff rules), what the run knows of the project (detection, the
framework's integration notes) and the tools of every task type in one order. What belongs
to one task (its type, inputs, tools it may call, ancestors' handoffs) comes after, in the
task prompt. The install intent is recorded during seeding, after the first tasks start, so
it is a second system block of its own: agents before and after it still share the first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wizard_tui.domain.prompts import PromptLibrary
from wizard_tui.domain.tools import TOOLS

MAX_DETECTION_CHARS = 12_000

TASK_PREAMBLE = """\
You are one isolated step of the PostHog setup wizard, a fresh agent with no memory of the
others. Stay on your own task; do not start work that belongs to another task.
Report exactly once, with `complete_task`, then stop.
Never create, change or delete any file of the user's project: you may only read it, and
write inside `.posthog-wizard/` through your tools.

This system prompt is the same for every task of the run. It holds every task type's
instructions, so you know what the other steps do; follow only the section of your own task
type, which your first message names with your inputs and the context from previous steps.
The tool list is the same for every task too: your first message names the tools your task
type may call, and a call to any other tool is refused.
"""

HANDOFF_RULES = """\
# Handing off

Your `complete_task` call is the only thing later agents learn about your work, as the
"Context from previous steps" of their first message. Write it for an agent that has never
seen the project:

- `status`: `done` when the task's success criteria hold; `skipped` when the task clearly
  does not apply (say why in `did`); `failed` when you could not do it (say what stopped you).
- `goal`: what your task type is for, in one or two sentences.
- `did`: what you did, naming each file you proposed a change to and each follow-up task.
- `for_next_agent`: what the next agents need: commands the user must run, environment
  variables to set, names you chose (events, properties, helper modules), caveats.
- `files_touched`: every project file you proposed to create or change, as a relative path.
- `evidence`: how you know it worked (the file read back parses, the call is in place).

Never put a secret value in a handoff: name the environment variable instead.
"""


@dataclass(frozen=True)
class RunFacts:
    """What the run knows when a task starts: detection (made before seeding) and the install intent."""

    framework: str | None = None
    detection: Mapping[str, Any] | None = None
    install_intent: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class SharedPrompt:
    """The task agents' common prefix: the tools in one order, the system prompt and its tail."""

    tools: tuple[str, ...]
    system: str
    tail: str  # the install intent once recorded, else empty


def shared_task_prompt(library: PromptLibrary, facts: RunFacts, *, stub: bool = False) -> SharedPrompt:
    """The prefix every task agent of this run gets, built from the run's prompts and facts alone."""
    return SharedPrompt(
        tools=_task_tools(library, stub=stub),
        system="\n".join(
            [
                TASK_PREAMBLE,
                HANDOFF_RULES,
                _playbook(library, stub=stub),
                _integration_notes(library, facts.framework),
                _detection(facts.detection),
            ]
        ),
        tail=_install_intent(facts.install_intent),
    )


class SharedPrompts:
    """One run's shared prefix, rebuilt only when a fact in it changes (tasks start far more often).

    The facts are compared by identity: the run keeps each one (detection, install intent)
    as one object for its whole life, and a new fact is a new object.
    """

    def __init__(self, library: PromptLibrary, *, stub: bool) -> None:
        self.library = library
        self.stub = stub
        self._key: tuple[object, ...] | None = None
        self._prompt: SharedPrompt | None = None

    def current(self, facts: RunFacts) -> SharedPrompt:
        key = (facts.framework, id(facts.detection), id(facts.install_intent))
        if self._prompt is None or key != self._key:
            self._key, self._prompt = key, shared_task_prompt(self.library, facts, stub=self.stub)
        return self._prompt


def task_tools(library: PromptLibrary, task_type: str, *, stub: bool = False) -> tuple[str, ...]:
    """The tools a task type may call. Under `--stub` every type has the stub body's tools, and
    `enqueue_task` only where the type's own prompt allows it."""
    own = library.types[task_type].meta.tools
    if not stub:
        return tuple(own)
    body = library.body_for(task_type, stub=True).meta.tools
    return tuple(t for t in body if t != "enqueue_task" or t in own)


def _task_tools(library: PromptLibrary, *, stub: bool) -> tuple[str, ...]:
    """Every tool some task type may call, in the declaration order (the same for every task)."""
    wanted = {t for task_type in library.types for t in task_tools(library, task_type, stub=stub)}
    return tuple(name for name in TOOLS if name in wanted)


def _playbook(library: PromptLibrary, *, stub: bool) -> str:
    """Every task type's own prompt, then any body several types resolve to (the stub), once.

    Under `--stub` the types' own prompts stay: they say what each step is for, which the
    stub's handoffs describe, while the stub body says what is done instead.
    """
    lead = "what the real step does; under --stub every task runs the stub body below" if stub else ""
    sections = ["# The task types of this run\n"]
    for task_type in library.task_types:
        prompt = library.types[task_type]
        note = f" ({lead})" if lead else ""
        sections.append(f"## Task type `{task_type}`: {prompt.meta.label}{note}\n\n{_demoted(prompt.body)}\n")
    bodies = {library.body_for(t, stub=stub).meta.type for t in library.types} - set(library.types)
    for name in sorted(bodies):
        body = _demoted(library.bodies[name].body)
        sections.append(f"# How the tasks of this run work (the `{name}` body)\n\n{body}\n")
    return "\n".join(sections)


def _demoted(body: str, levels: int = 1) -> str:
    """Markdown headings one level deeper, so a body nests under its task type's heading."""
    return re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + levels) + " ", body.strip(), flags=re.M)


def _integration_notes(library: PromptLibrary, framework: str | None) -> str:
    """The run's framework's notes; with none recognised, every framework's, to pick from by the files."""
    notes = library.knowledge_for(framework).strip()
    if framework not in (None, "unknown") or not library.knowledge:
        return notes + "\n"
    others = "\n\n".join(library.knowledge_for(f).strip() for f in sorted(library.knowledge))
    return (
        f"{notes}\n\nThe notes of the frameworks the wizard knows, for parts of the project that use one:\n\n{others}\n"
    )


def _detection(detection: Mapping[str, Any] | None) -> str:
    if detection is None:
        return "# What detection found\n\nNothing yet: call `detect_framework`.\n"
    rendered = json.dumps(detection, indent=1, sort_keys=True, ensure_ascii=False)
    if len(rendered) > MAX_DETECTION_CHARS:  # a huge monorepo: the tool still has the whole result
        rendered = rendered[:MAX_DETECTION_CHARS] + "\n... (cut: call `detect_framework` for the whole result)"
    return f"# What detection found (the `detect_framework` result)\n\n```json\n{rendered}\n```\n"


def _install_intent(intent: Mapping[str, Any] | None) -> str:
    if not intent:
        return ""
    keys = ("sdks", "package_manager", "reason")
    rendered = json.dumps({k: intent.get(k) for k in keys}, indent=1, ensure_ascii=False)
    return f"# The install intent the orchestrator recorded\n\n```json\n{rendered}\n```\n"
