"""The agent tools: each one's name, what the model is told, and the model of its input.

These are facts of the product (prompts, the offline agent and any model rely on the exact
names and inputs), so they live in the domain; the engine binds a handler to each name
(`wizard_tui/engine/tools`), and a prompt may name only tools declared here. The JSON
schema a model sees is generated from the input model, never written by hand.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from wizard_tui.domain.models import Handoff
from wizard_tui.domain.record import Record
from wizard_tui.domain.settings import (
    DEFAULT_READ_LINES,
    MAX_DEPTH,
    MAX_FAN_OUT,
    MAX_GLOB_CHARS,
    MAX_LIST,
    MAX_MATCHES,
    MAX_READ_LINES,
)


@dataclass(frozen=True)
class ToolDecl:
    """One tool: its name, its description for the model, and the model of its input."""

    name: str
    description: str
    input_model: type[BaseModel]
    task_type_fields: tuple[str, ...] = ()  # fields naming a task type: listed as an enum of the run's types

    def input_schema(self, task_types: Sequence[str] = ()) -> dict[str, Any]:
        """The JSON schema the model sees, generated from the input model (with the run's task types)."""
        model = self.input_model
        if task_types and self.task_type_fields:
            model = _listing_task_types(model, self.task_type_fields, tuple(task_types))
        schema = model.model_json_schema()
        schema.pop("title", None)
        return schema


@functools.cache
def _listing_task_types(model: type[BaseModel], fields: tuple[str, ...], types: tuple[str, ...]) -> type[BaseModel]:
    """`model` whose `fields` carry `enum: types` in their schema.

    Validation is unchanged (any string): an unknown type still reaches the unknown-type
    guard, whose refusal is recorded and tells the agent the valid types.
    """
    listed: dict[str, Any] = {
        name: (str, FieldInfo.merge_field_infos(model.model_fields[name], json_schema_extra={"enum": list(types)}))
        for name in fields
    }
    return create_model(model.__name__, __base__=model, **listed)


# -- the orchestrator's own tools ------------------------------------------------------------


class DetectFrameworkInput(Record):
    model_config = ConfigDict(extra="forbid")


class RecordInstallIntentInput(Record):
    model_config = ConfigDict(extra="forbid")

    sdks: list[str] = Field(min_length=1, description="Package names to install, e.g. posthog-js.")
    package_manager: str = Field(min_length=1, description="npm, pnpm, yarn, pip, poetry, uv, ... or unknown.")
    reason: str = Field(min_length=1, max_length=1000, description="Why these SDKs.")


# -- read-only exploration -------------------------------------------------------------------


class _Input(Record):
    model_config = ConfigDict(extra="forbid")


class ListFilesInput(_Input):
    path: str = Field(default=".", description="Folder to list, relative to the project root.")
    glob: str | None = Field(
        default=None, max_length=MAX_GLOB_CHARS, description="Only files whose relative path matches, e.g. '**/*.tsx'."
    )
    max_results: int = Field(default=200, ge=1, le=MAX_LIST)


class ReadFileInput(_Input):
    path: str = Field(description="File to read, relative to the project root.")
    offset: int = Field(default=0, ge=0, description="First line to return (0-based).")
    limit: int = Field(default=DEFAULT_READ_LINES, ge=1, le=MAX_READ_LINES, description="How many lines.")


class SearchFilesInput(_Input):
    pattern: str = Field(
        min_length=1,
        max_length=500,
        description="A regular expression in RE2 syntax (Python's, without backreferences or lookaround).",
    )
    path: str = Field(default=".", description="Folder to search, relative to the project root.")
    glob: str | None = Field(
        default=None, max_length=MAX_GLOB_CHARS, description="Only files whose relative path matches."
    )
    max_results: int = Field(default=50, ge=1, le=MAX_MATCHES)


# -- the queue and the run dir ---------------------------------------------------------------


class EnqueueTaskInput(Record):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="The task type, one of the run's task types.")
    label: str = Field(min_length=1, max_length=80, description="A few words for the UI.")
    inputs: dict[str, Any] = Field(default_factory=dict, description="What the task needs to know.")
    depends_on: list[str] = Field(default_factory=list, description="Ids of tasks that must finish first.")
    reason: str = Field(min_length=1, max_length=1000, description="Why this task is needed, in one sentence.")
    model: str | None = Field(default=None, description="Override the model for this task (rarely needed).")


class CompleteTaskInput(Record):
    model_config = ConfigDict(extra="forbid")

    status: Literal["done", "failed", "skipped"]
    handoff: Handoff


class ReadHandoffsInput(Record):
    model_config = ConfigDict(extra="forbid")

    task_id: str | None = Field(default=None, description="One task's handoff.")
    type: str | None = Field(default=None, description="All handoffs of a task type, oldest first.")


class WriteMarkerInput(Record):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000, description="A line saying what ran.")


# -- proposed changes ------------------------------------------------------------------------


class ProposeEditInput(Record):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="File to change, relative to the project root.")
    old: str = Field(
        min_length=1,
        description=(
            "Exact text to replace, copied from read_file (which shows earlier proposals); it must occur "
            "exactly once in the file, so include enough surrounding lines."
        ),
    )
    new: str = Field(description="The text that replaces `old` (empty to delete it).")


class ProposeFileInput(Record):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="New file to create, relative to the project root; it must not exist yet.")
    content: str = Field(description="The whole content of the new file.")


class WriteReportInput(Record):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1, description="The whole setup report, as markdown.")


TOOLS: dict[str, ToolDecl] = {
    decl.name: decl
    for decl in (
        ToolDecl(
            "detect_framework",
            "Use this first, before exploring: it reads the project's manifests and sources once and tells you what "
            "the project is. It returns the framework (and router or mode), package manager, whether PostHog is "
            "already set up, the LLM SDK calls found (file, line, sdk) and any sub-projects. It takes no input, "
            "reads only the project and is bounded in time, so a huge tree may come back incomplete.",
            DetectFrameworkInput,
        ),
        ToolDecl(
            "record_install_intent",
            "Use this once, after detect_framework, to record which PostHog SDKs the project needs and which package "
            "manager installs them. It writes .posthog-wizard/install-intent.json and returns {recorded: true}; "
            "calling it again replaces the earlier intent. It installs nothing and runs no package manager.",
            RecordInstallIntentInput,
        ),
        ToolDecl(
            "list_files",
            "Use this to see which files the project has, before reading or searching them. It returns paths relative "
            "to the project root, and says when the list was cut at `max_results` "
            f"(at most {MAX_LIST:,}). Dependencies, VCS data, build output and .gitignore'd files are left out, and "
            "paths outside the project (absolute, `..`, links leading out) are refused.",
            ListFilesInput,
        ),
        ToolDecl(
            "read_file",
            "Use this to read a text file of the project, a slice of lines at a time (offset, limit). It returns the "
            "lines as `content`, with changes proposed earlier in this run shown as if applied, and when more lines "
            "follow says so with the file's total line count. "
            f"At most {MAX_READ_LINES:,} lines per call; binary and very large files are refused, and secret files "
            "(.env and the like) show their key names only, never values.",
            ReadFileInput,
        ),
        ToolDecl(
            "search_files",
            "Use this to find where something happens in the project (an import, a route, a form) instead of "
            "reading files one by one. It returns matches as file, line number and the line's text, and says when "
            f"it stopped early. `pattern` is a Python regular expression; at most {MAX_MATCHES} matches, only the "
            "start of very long lines is searched, and a slow search is cut off after a few seconds.",
            SearchFilesInput,
        ),
        ToolDecl(
            "enqueue_task",
            "Use this to add one task to the queue for another agent; the executor may start it at once. It "
            "returns the new task's id, which later enqueues name in `depends_on` to run after it. A guard refuses "
            "an unknown type or model, unknown dependencies, duplicates (same type and inputs), chains deeper than "
            f"{MAX_DEPTH} and more than {MAX_FAN_OUT} follow-ups per task, with a sentence saying how to fix the call.",
            EnqueueTaskInput,
            task_type_fields=("type",),
        ),
        ToolDecl(
            "complete_task",
            "Use this exactly once, as your last call, to report how your task ended: done, failed or skipped (the "
            "task clearly does not apply). Calling it ends your agent: do every other call first, in earlier turns "
            "or earlier in the same turn. It returns {ok: true}, and the handoff (goal, did, for_next_agent, files "
            "touched, evidence) is what every later agent reads about your work.",
            CompleteTaskInput,
        ),
        ToolDecl(
            "read_handoffs",
            "Use this when the context from previous steps in your prompt is not enough. It returns the handoffs "
            "of earlier tasks: one task's (task_id), every task of a type (type), or, with no input, those of the "
            "tasks you depend on. Only tasks that have finished have a handoff.",
            ReadHandoffsInput,
        ),
        ToolDecl(
            "write_marker",
            "Use this once in a stub task to leave proof that your agent ran. It writes "
            ".posthog-wizard/markers/<your task id>.txt (a retry replaces it) and returns the file's path. It "
            "writes nothing in the user's project.",
            WriteMarkerInput,
        ),
        ToolDecl(
            "propose_edit",
            "Use this to change part of an existing project file: replace `old`, copied exactly from read_file, "
            "with `new`. Nothing is written to the project: the change is recorded for the user's review, "
            "read_file shows it from now on, and it returns the file's path. `old` must occur exactly once in the "
            "file as it now reads (include surrounding lines to make it unique); secret files and paths outside "
            "the project are refused.",
            ProposeEditInput,
        ),
        ToolDecl(
            "propose_file",
            "Use this to add a new file to the project with its whole content. Nothing is written to the project: "
            "the file is recorded for the user's review, read_file shows it from now on, and it returns its path. "
            "It is refused when the file already exists (use propose_edit) or the path leads outside the project.",
            ProposeFileInput,
        ),
        ToolDecl(
            "write_report",
            "Use this in the report task to write the setup report for the user, in markdown. It writes "
            ".posthog-wizard/posthog-setup-report.md, replacing any earlier version, and returns its path. It "
            "writes nothing in the user's project.",
            WriteReportInput,
        ),
    )
}
TOOL_NAMES = frozenset(TOOLS)
