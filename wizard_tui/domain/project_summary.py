"""What detection found, in sentences a person reads at the start of a run.

The run records detection's key facts as a `detected` audit event (see the detect_framework
tool); the headless output, and any other face, words them here so every face says the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The facts of a detection result that the `detected` audit event carries.
DETECTED_FIELDS = (
    "framework",
    "name",
    "router",
    "mode",
    "package_manager",
    "posthog_installed",
    "posthog_packages",
    "llm_sdks",
    "primary_subproject",
)
SDK_GUIDE = "https://posthog.com/docs/libraries"


def detected_facts(detection: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a detection result that the run records and the faces describe."""
    return {key: detection.get(key) for key in DETECTED_FIELDS}


def recognised(facts: Mapping[str, Any]) -> bool:
    return bool(facts.get("framework")) and facts.get("framework") != "unknown"


def project_line(facts: Mapping[str, Any]) -> str:
    """One line: the framework with its router or mode, the package manager, and PostHog's presence."""
    if not recognised(facts):
        return "no framework recognised"
    name = str(facts.get("name") or facts.get("framework"))
    details = [f"{facts[k]} {k}" for k in ("router", "mode") if facts.get(k)]
    if facts.get("primary_subproject"):
        details.append(f"app in {facts['primary_subproject']}")
    head = f"{name} ({', '.join(details)})" if details else name
    manager = facts.get("package_manager")
    parts = [head, f"package manager {manager}" if manager else "no package manager found"]
    parts.append("PostHog already installed" if facts.get("posthog_installed") else "PostHog not installed yet")
    return ", ".join(parts)


def detection_sentences(facts: Mapping[str, Any], where: str) -> list[str]:
    """The lines that open a run's output: what was found in `where` and what that means for the plan."""
    if not recognised(facts):
        return [
            f"Nothing recognised in {where}: no framework, and no package manifest that names one.",
            "So no PostHog SDK can be chosen and no place to initialise it is known: no install intent is recorded.",
            "The run still maps the code, plans the events to capture and writes the manual steps in "
            ".posthog-wizard/posthog-setup-report.md.",
            f"To set PostHog up by hand, pick the SDK for your stack at {SDK_GUIDE}",
        ]
    lines = [f"Detected {project_line(facts)}."]
    llm = facts.get("llm_sdks") or []
    if llm:
        lines.append(f"LLM calls found ({', '.join(str(s) for s in llm)}): the plan includes LLM analytics.")
    if facts.get("posthog_installed"):
        packages = ", ".join(str(p) for p in facts.get("posthog_packages") or []) or "a PostHog SDK"
        lines.append(
            f"PostHog is already in this project ({packages}): the plan keeps its setup (no second init; "
            "only SDKs still missing are declared) and looks for events still to capture."
        )
    return lines
