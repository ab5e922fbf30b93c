"""Agent prompt files: markdown with a YAML front matter block, validated by pydantic.

`domain.frontmatter` splits the block off and reads it (and says why no library does).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ConfigDict, Field, ValidationError

from wizard_tui.domain.claude_models import current_ids, lookup
from wizard_tui.domain.frontmatter import FrontMatterError, read_front_matter
from wizard_tui.domain.knowledge import Knowledge, knowledge_text, load_knowledge
from wizard_tui.domain.record import Record
from wizard_tui.domain.tools import TOOL_NAMES

REQUIRED_SECTIONS = ("## Goal", "## How you know you succeeded")
STUB_TYPE = "stub"  # the walking skeleton's body (`stub.md`), which `--stub` gives every task


class PromptError(Exception):
    """A prompt file that cannot be used; the message names the file and the fix."""


class FrontMatter(Record):
    """The YAML block at the top of every prompt file."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    label: str = Field(min_length=1)
    model: str | None = None
    tools: list[str]
    seed: bool = False
    max_turns: int = Field(default=12, ge=1, le=200)
    body: str | None = Field(default=None, description="Resolve this type's body to another prompt file (e.g. stub).")
    after_others: bool = Field(
        default=False, description="Tasks of this type run only after every other task has finished (review, report)."
    )


@dataclass(frozen=True)
class PromptFile:
    """One parsed prompt: its front matter and markdown body."""

    path: Path
    meta: FrontMatter
    body: str

    def section(self, heading: str) -> str:
        """The text under `## heading`, up to the next heading of that level."""
        return _section(self.body, heading)


@functools.lru_cache(maxsize=256)
def _section(body: str, heading: str) -> str:
    # Every task agent's prompt quotes two sections of its type's file: found once per file.
    match = re.search(rf"^## {re.escape(heading)}\s*\n(.*?)(?=^## |\Z)", body, re.M | re.S)
    return match.group(1).strip() if match else ""


def parse_prompt(path: Path) -> PromptFile:
    try:
        raw, body = read_front_matter(path)
    except FrontMatterError as exc:
        raise PromptError(str(exc)) from exc
    try:
        meta = FrontMatter.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'front matter'}: {e['msg']}" for e in exc.errors()
        )
        raise PromptError(f"{path}: invalid front matter ({problems})") from exc
    if meta.model is not None and lookup(meta.model) is None:
        raise PromptError(
            f"{path}: model {meta.model!r} is not a current Claude model; use one of {', '.join(current_ids())}"
        )
    unknown = sorted(set(meta.tools) - TOOL_NAMES)
    if unknown:
        raise PromptError(f"{path}: unknown tools {', '.join(unknown)}; valid tools: {', '.join(sorted(TOOL_NAMES))}")
    if meta.body is None:
        missing = [s for s in REQUIRED_SECTIONS if s not in body]
        if missing:
            raise PromptError(f"{path}: the body lacks the section(s) {', '.join(missing)}")
    return PromptFile(path=path, meta=meta, body=body)


@dataclass(frozen=True)
class PromptLibrary:
    """The seed prompt, the task types, and the bodies they resolve to."""

    seed: PromptFile
    types: dict[str, PromptFile]
    bodies: dict[str, PromptFile]
    knowledge: dict[str, Knowledge] = field(default_factory=dict)  # per framework id (frameworks/*.md)

    @property
    def task_types(self) -> list[str]:
        return sorted(self.types)

    def body_for(self, task_type: str, *, stub: bool = False) -> PromptFile:
        """The prompt whose body a task of this type runs: its own, the one it resolves to, or (`--stub`) the stub."""
        if stub:
            if STUB_TYPE not in self.bodies:
                raise PromptError(f"--stub needs the stub body ({STUB_TYPE}.md) in the prompt folder")
            return self.bodies[STUB_TYPE]
        prompt = self.types[task_type]
        return self.bodies[prompt.meta.body] if prompt.meta.body else prompt

    def knowledge_for(self, framework_id: str | None) -> str:
        """The framework's integration notes with its record's facts (see `domain.knowledge`)."""
        return knowledge_text(framework_id, self.knowledge)


def default_prompt_dir() -> Path:
    """The repo's `agent_prompts/` in a checkout, else the copy packaged in the wheel."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "agent_prompts", here / "_agent_prompts"):
        if candidate.is_dir():
            return candidate
    raise PromptError("agent_prompts/ was not found next to the package; reinstall wizard-tui")


def load_prompts(directory: Path | None = None) -> PromptLibrary:
    directory = directory or default_prompt_dir()
    files = sorted(directory.glob("*.md"))
    if not files:
        raise PromptError(f"{directory}: no prompt files (*.md) found")
    parsed = [parse_prompt(f) for f in files]
    seeds = [p for p in parsed if p.meta.seed]
    if len(seeds) != 1:
        names = ", ".join(p.path.name for p in seeds) or "none"
        raise PromptError(f"{directory}: exactly one prompt must have `seed: true` (found {names})")
    by_type: dict[str, PromptFile] = {}
    for p in parsed:
        if p.meta.type in by_type:
            raise PromptError(f"{p.path}: type {p.meta.type!r} is already declared by {by_type[p.meta.type].path.name}")
        by_type[p.meta.type] = p
    # The stub is a body even when no type resolves to it: `--stub` runs it for every type.
    referenced = {p.meta.body for p in parsed if p.meta.body} | ({STUB_TYPE} & set(by_type))
    bodies = {name: by_type[name] for name in referenced if name in by_type}
    for p in parsed:
        if p.meta.body and p.meta.body not in by_type:
            raise PromptError(f"{p.path}: body {p.meta.body!r} names no prompt file's type")
        if p.meta.body and by_type[p.meta.body].meta.body:
            raise PromptError(f"{p.path}: body {p.meta.body!r} resolves again; chains are not allowed")
    types = {t: p for t, p in by_type.items() if not p.meta.seed and t not in referenced}
    return PromptLibrary(seed=seeds[0], types=types, bodies=bodies, knowledge=load_knowledge(directory / "frameworks"))
