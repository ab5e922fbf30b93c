"""The records detection returns: one per project, with its sub-projects and LLM call sites."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from wizard_tui.domain.record import Record

LlmKind = Literal["manifest", "import", "call", "http"]


class LlmCall(Record):
    """One place where the project uses an LLM: a declared SDK, an import, a call or an endpoint."""

    file: str = Field(description="Path relative to the project root (posix); the manifest for a declaration.")
    line: int | None = Field(description="1-based line; None for a manifest declaration.")
    sdk: str = Field(description='Package or endpoint, e.g. "openai", "@ai-sdk/openai", "http:api.openai.com".')
    kind: LlmKind


class Subproject(Record):
    """A directory of a monorepo that is itself an app, with its own detection."""

    path: str
    framework: str
    name: str
    package_manager: str | None
    router: str | None
    mode: str | None = None


class DetectionResult(Record):
    """What detection found in one project (SPEC §5), as `wizard-tui detect` and `detect_framework` report it."""

    framework: str
    name: str
    evidence: list[str]
    package_manager: str | None
    router: str | None = None
    mode: str | None = None
    posthog_installed: bool
    posthog_packages: list[str]
    llm_calls: list[LlmCall]
    llm_sdks: list[str]
    subprojects: list[Subproject]
    primary_subproject: str | None = Field(
        default=None,
        description="For a monorepo root that is no app itself: the subproject whose framework it reports.",
    )
    files_scanned: int
    truncated: bool
