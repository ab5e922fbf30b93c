"""Integration knowledge per framework: the HOW that task prompts (the WHAT) leave out.

One markdown file per framework id in `agent_prompts/frameworks/`, with a front matter
naming the framework and one section per task type. `knowledge_text` joins the framework
record's facts (SDKs, env vars, where init goes, PostHog's guide) with that text: one plain
text per framework, the same for every task of a run, so a backend can put it in the
cached part of every task agent's prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ConfigDict, ValidationError

from wizard_tui.domain.frameworks import DEFAULT_HOST, FRAMEWORKS, framework
from wizard_tui.domain.frontmatter import FrontMatterError, read_front_matter
from wizard_tui.domain.record import Record

REQUIRED_SECTIONS = ("## Install", "## Init", "## Identify", "## Capture", "## LLM analytics")


class KnowledgeError(Exception):
    """A knowledge file that cannot be used; the message names the file and the fix."""


class KnowledgeMeta(Record):
    model_config = ConfigDict(extra="forbid")

    framework: str


@dataclass(frozen=True)
class Knowledge:
    """One framework's integration notes."""

    framework: str
    body: str


def parse_knowledge(path: Path) -> Knowledge:
    try:
        raw, body = read_front_matter(path)
        meta = KnowledgeMeta.model_validate(raw)
    except FrontMatterError as exc:
        raise KnowledgeError(str(exc)) from exc
    except ValidationError as exc:
        raise KnowledgeError(f"{path}: invalid front matter ({exc})") from exc
    if meta.framework not in FRAMEWORKS or meta.framework == "unknown":
        raise KnowledgeError(f"{path}: {meta.framework!r} is not a framework id; use one of {', '.join(FRAMEWORKS)}")
    if path.stem != meta.framework:
        raise KnowledgeError(f"{path}: the file must be named {meta.framework}.md, after its framework")
    body = body.strip()
    missing = [s for s in REQUIRED_SECTIONS if not re.search(rf"^{re.escape(s)}\s*$", body, re.M)]
    if missing:
        raise KnowledgeError(f"{path}: the body lacks the section(s) {', '.join(missing)}")
    return Knowledge(meta.framework, body)


def load_knowledge(directory: Path) -> dict[str, Knowledge]:
    """Every framework's notes in `directory` (none when the folder does not exist)."""
    if not directory.is_dir():
        return {}
    found = [parse_knowledge(p) for p in sorted(directory.glob("*.md"))]
    return {k.framework: k for k in found}


def knowledge_text(framework_id: str | None, notes: dict[str, Knowledge]) -> str:
    """The framework's facts and notes as one text, for the task agents' shared prompt."""
    record = framework(framework_id or "unknown")
    lines = [f"# Integration notes: {record.name}", ""]
    if record.id == "unknown":
        lines.append("No framework was recognised: say so, skip framework-specific work, and point to")
        lines.append("https://posthog.com/docs/libraries in the report.")
        return "\n".join(lines) + "\n"
    lines.append(f"- PostHog SDKs: {', '.join(record.sdks) or 'none'}")
    if record.llm_sdk:
        lines.append(f"- LLM analytics wrappers: {record.llm_sdk}")
    lines.append(f"- Where init goes: {record.init_where}")
    if record.key_env:
        lines.append(f"- Key from the environment variable {record.key_env}; host from {record.host_env}")
        lines.append(f"  (default host {DEFAULT_HOST}). Never write a key into source.")
    if record.docs:
        lines.append(f"- PostHog's guide: {record.docs}")
    note = notes.get(record.id)
    if note is not None:
        lines += ["", note.body]
    else:
        lines += ["", "The wizard has no detailed notes for this framework: follow PostHog's guide above."]
    return "\n".join(lines) + "\n"
