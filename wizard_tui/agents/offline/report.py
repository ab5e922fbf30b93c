"""The `report` body: the last task writes `.posthog-wizard/posthog-setup-report.md`.

The report says what changed and why, the environment variables to set, the install
command to run, how to apply (and revert) the patch, and what was skipped and why with
the manual steps. Everything in it comes from the handoffs and the framework record.
"""

from __future__ import annotations

import re
from typing import Any

from wizard_tui.agents.offline.context import TaskContext
from wizard_tui.domain.frameworks import DEFAULT_HOST

REPORTED_TYPES = ("install", "init", "identify", "plan-capture", "capture", "llm-analytics", "review")
_COMMAND = re.compile(r"Install command: `([^`]+)`")


async def _handoffs(ctx: TaskContext) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for task_type in REPORTED_TYPES:
        result = await ctx.session.call("read_handoffs", {"type": task_type}) or {}
        found.extend(result.get("handoffs", []))
    return found


def render_report(ctx: TaskContext, handoffs: list[dict[str, Any]]) -> str:
    """The report's markdown, from the handoffs and the framework record."""
    fw = ctx.framework
    where = "" if ctx.app_dir in ("", ".") else f" in `{ctx.app_dir}`"
    lines = ["# PostHog setup report", ""]
    lines.append(f"Framework: **{fw.name}**{where}. Proposed by the wizard; nothing in the project was written.")
    lines += ["", "## What changed and why", ""]
    changed = [h for h in handoffs if h.get("status") == "done" and h.get("files_touched")]
    if changed:
        for h in changed:
            files = ", ".join(f"`{f}`" for f in h["files_touched"])
            lines.append(f"- **{h['type']}** ({files}): {h['did']}")
    else:
        lines.append("- Nothing: no task proposed a change.")

    lines += ["", "## Environment variables to set", ""]
    if fw.key_env:
        lines.append(f"- `{fw.key_env}`: your PostHog project API key (Project settings). Never commit it.")
        lines.append(
            f"- `{fw.host_env}`: your PostHog host; defaults to `{DEFAULT_HOST}` (EU: `https://eu.i.posthog.com`)."
        )
        lines.append("- Without the key set, PostHog stays off and the app runs as before.")
    else:
        lines.append("- None recognised for this framework; see the manual steps below.")

    lines += ["", "## Install the SDKs", ""]
    install = next((h for h in handoffs if h.get("type") == "install"), None)
    command = _COMMAND.search(install.get("for_next_agent", "")) if install else None
    if install and install.get("status") == "done" and command:
        lines.append("The SDKs are declared in the manifest; no package manager ran. After applying, run:")
        lines += ["", "```sh", command.group(1), "```"]
    elif install and install.get("status") == "skipped":
        lines.append(f"Nothing to install: {install['did'].removeprefix('Skipped: ')}")
    else:
        lines.append("The install task did not finish; declare the PostHog SDK by hand.")

    lines += ["", "## Apply, or undo", ""]
    if changed:
        lines += [
            "Review `.posthog-wizard/changes.patch`, then:",
            "",
            "```sh",
            "wizard-tui apply .      # all files or none; refuses if a file changed since the run",
            "wizard-tui revert .     # restores every applied file byte for byte",
            "```",
        ]
    else:
        lines.append("Nothing to apply: no task proposed a change.")

    lines += ["", "## Skipped, and why", ""]
    skipped = [h for h in handoffs if h.get("status") in ("skipped", "failed", "blocked")]
    if skipped:
        for h in skipped:
            lines.append(f"- **{h['type']}** ({h['status']}): {h['did']}")
    else:
        lines.append("- Nothing was skipped.")

    review = next((h for h in handoffs if h.get("type") == "review"), None)
    lines += ["", "## Review", ""]
    lines.append(f"- {review['did']}" if review else "- The review did not run.")
    return "\n".join(lines) + "\n"


async def report_body(ctx: TaskContext) -> None:
    goal = "Write the setup report: what changed and why, env vars, the install command, what was skipped."
    handoffs = await _handoffs(ctx)
    written = await ctx.session.call("write_report", {"content": render_report(ctx, handoffs)})
    if written is None:
        await ctx.finish("failed", goal, "write_report refused the report.", "Run the report task again.")
        return
    await ctx.finish(
        "done",
        goal,
        f"Wrote {written['path']} from {len(handoffs)} handoff(s).",
        "The report is the user's checklist: env vars, install command, apply/revert, skipped steps.",
        evidence=f"write_report returned {written}",
    )
