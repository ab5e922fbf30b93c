"""The agent tools: each one's name, what the model is told, and the model of its input.

These are facts of the product (prompts, the offline agent and any model rely on the exact
names and inputs), so they live in the domain; the engine binds a handler to each name
(`wizard_tui/engine/tools`), and a prompt may name only tools declared here. The JSON
schema a model sees is generated from the input model, never written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from wizard_tui.domain.models import Handoff
from wizard_tui.domain.settings import (
    DEFAULT_READ_LINES,
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

    def input_schema(self) -> dict[str, Any]:
        schema = self.input_model.model_json_schema()
        schema.pop("title", None)
        return schema


# -- the orchestrator's own tools ------------------------------------------------------------


class DetectFrameworkInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordInstallIntentInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sdks: list[str] = Field(min_length=1, description="Package names to install, e.g. posthog-js.")
    package_manager: str = Field(min_length=1, description="npm, pnpm, yarn, pip, poetry, uv, ... or unknown.")
    reason: str = Field(min_length=1, max_length=1000, description="Why these SDKs.")


# -- read-only exploration -------------------------------------------------------------------


class _Input(BaseModel):
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
    pattern: str = Field(min_length=1, max_length=500, description="A Python regular expression.")
    path: str = Field(default=".", description="Folder to search, relative to the project root.")
    glob: str | None = Field(
        default=None, max_length=MAX_GLOB_CHARS, description="Only files whose relative path matches."
    )
    max_results: int = Field(default=50, ge=1, le=MAX_MATCHES)


# -- the queue and the run dir ---------------------------------------------------------------


class EnqueueTaskInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="The task type; one of the valid types.")
    label: str = Field(min_length=1, max_length=80, description="A few words for the UI.")
    inputs: dict[str, Any] = Field(default_factory=dict, description="What the task needs to know.")
    depends_on: list[str] = Field(default_factory=list, description="Ids of tasks that must finish first.")
    reason: str = Field(min_length=1, max_length=1000, description="Why this task is needed, in one sentence.")
    model: str | None = Field(default=None, description="Override the model for this task (rarely needed).")


class CompleteTaskInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["done", "failed", "skipped"]
    handoff: Handoff


class ReadHandoffsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task_id: str | None = Field(default=None, description="One task's handoff.")
    type: str | None = Field(default=None, description="All handoffs of a task type, oldest first.")


class WriteMarkerInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000, description="A line saying what ran.")


# -- proposed changes ------------------------------------------------------------------------


class ProposeEditInput(BaseModel):
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


class ProposeFileInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="New file to create, relative to the project root; it must not exist yet.")
    content: str = Field(description="The whole content of the new file.")


class WriteReportInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1, description="The whole setup report, as markdown.")


TOOLS: dict[str, ToolDecl] = {
    decl.name: decl
    for decl in (
        ToolDecl(
            "detect_framework",
            "Detect the project's framework, package manager, router, PostHog presence, LLM calls and sub-projects.",
            DetectFrameworkInput,
        ),
        ToolDecl(
            "record_install_intent",
            "Record which SDKs would be installed, with which package manager (no package manager runs).",
            RecordInstallIntentInput,
        ),
        ToolDecl(
            "list_files",
            "List files of the user's project (read-only), relative to its root. Dependencies, VCS "
            "data, build output and .gitignore'd files are left out.",
            ListFilesInput,
        ),
        ToolDecl(
            "read_file",
            "Read lines of a text file of the user's project (read-only). Secret files show key names only.",
            ReadFileInput,
        ),
        ToolDecl(
            "search_files",
            "Search the user's project for a regular expression (read-only); returns file, line and text.",
            SearchFilesInput,
        ),
        ToolDecl(
            "enqueue_task",
            "Add a task to the queue. Returns its id; use ids in depends_on to order tasks.",
            EnqueueTaskInput,
        ),
        ToolDecl(
            "complete_task",
            "Report your task's outcome exactly once, with a structured handoff for the next agents.",
            CompleteTaskInput,
        ),
        ToolDecl(
            "read_handoffs",
            "Read handoffs of earlier tasks: by task_id, by type, or (default) your dependencies'.",
            ReadHandoffsInput,
        ),
        ToolDecl(
            "write_marker",
            "Write your task's marker file under .posthog-wizard/markers/, proving your agent ran.",
            WriteMarkerInput,
        ),
        ToolDecl(
            "propose_edit",
            "Propose replacing text in a project file. Nothing is written to the project: the change is recorded "
            "for the user's review, and read_file shows it from now on. `old` must match the file exactly once.",
            ProposeEditInput,
        ),
        ToolDecl(
            "propose_file",
            "Propose a new project file with the given content (refused when the file exists). Nothing is written "
            "to the project: the file is recorded for the user's review, and read_file shows it from now on.",
            ProposeFileInput,
        ),
        ToolDecl(
            "write_report",
            "Write the setup report (markdown) to .posthog-wizard/posthog-setup-report.md, replacing any earlier one.",
            WriteReportInput,
        ),
    )
}
TOOL_NAMES = frozenset(TOOLS)
