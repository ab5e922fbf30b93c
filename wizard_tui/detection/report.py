"""The human-readable report of a detection, for `wizard-tui detect PATH`."""

from __future__ import annotations

from wizard_tui.detection.models import DetectionResult
from wizard_tui.domain.printable import printable


def format_detection(result: DetectionResult) -> str:
    """Human-readable report for `wizard-tui detect PATH`."""
    lines: list[str] = []
    head = f"{result.name} [{result.framework}]"
    extras = []
    if result.router:
        extras.append(f"router: {result.router}")
    if result.mode:
        extras.append(f"mode: {result.mode}")
    if result.primary_subproject:
        extras.append(f"from its primary app {result.primary_subproject}")
    if extras:
        head += ", " + ", ".join(extras)
    lines.append(f"Framework:        {head}")
    lines.append(f"Package manager:  {result.package_manager or 'unknown'}")
    if result.posthog_installed:
        lines.append(f"PostHog:          installed ({', '.join(result.posthog_packages)})")
    else:
        lines.append("PostHog:          not installed")
    if result.llm_sdks:
        lines.append(f"LLM SDKs:         {', '.join(result.llm_sdks)}")
    else:
        lines.append("LLM SDKs:         none")
    sites = [c for c in result.llm_calls if c.kind != "manifest"]
    declared = [c for c in result.llm_calls if c.kind == "manifest"]
    if declared:
        lines.append("LLM declarations:")
        lines += [f"  {c.file}: {c.sdk}" for c in declared[:20]]
        if len(declared) > 20:
            lines.append(f"  ... and {len(declared) - 20} more")
    if sites:
        lines.append(f"LLM call sites:   {len(sites)}")
        lines += [f"  {c.file}:{c.line}  {c.sdk} ({c.kind})" for c in sites[:40]]
        if len(sites) > 40:
            lines.append(f"  ... and {len(sites) - 40} more")
    else:
        lines.append("LLM call sites:   none")
    if result.subprojects:
        lines.append("Subprojects:")
        width = max(len(s.path) for s in result.subprojects)
        for s in result.subprojects:
            detail = f"{s.name} [{s.framework}]"
            if s.router:
                detail += f", router: {s.router}"
            if s.mode:
                detail += f", mode: {s.mode}"
            detail += f", {s.package_manager or 'unknown package manager'}"
            if s.path == result.primary_subproject:
                detail += " (primary)"
            lines.append(f"  {s.path.ljust(width)}  {detail}")
    else:
        lines.append("Subprojects:      none")
    if result.evidence:
        lines.append("Evidence:")
        lines += [f"  - {e}" for e in result.evidence]
    scanned = f"Scanned {result.files_scanned} files"
    if result.truncated:
        scanned += " (cut short by the budget: results may be partial)"
    lines.append(scanned)
    # Names, paths and manifest fields come from the project: each line stays one printable line.
    return "\n".join(printable(line) for line in lines)
