"""The tools through which task agents change the project: they propose, they never write it.

`propose_edit` and `propose_file` record a change in the run dir (see
`engine/proposals.py` for how proposals are staged, committed and discarded);
`write_report` writes the one file a task may write directly, the setup report in the
run dir. Paths are confined like the read tools', and stricter: no link anywhere in the
path, nothing in skipped or ignored folders, no secret files, no key in the text. No secret
value may reach the patch: a proposal whose patch would show one is refused, with a sentence
saying where to put the change instead (see `engine/proposals.py`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from wizard_tui.domain.proposals import EditError
from wizard_tui.domain.settings import RUN_DIR_NAME
from wizard_tui.domain.tools import ProposeEditInput, ProposeFileInput, WriteReportInput
from wizard_tui.domain.walk import SKIP_DIRS, is_ignored
from wizard_tui.domain.writers import atomic_write_text
from wizard_tui.engine.proposals import Viewer
from wizard_tui.engine.tools.base import ToolContext, ToolError, ToolSpec, bind
from wizard_tui.engine.tools.explore import relative_parts, secret_kind
from wizard_tui.engine.tools.secret_scan import MARKER

# A PostHog project or personal API key written out: keys belong in environment variables.
_POSTHOG_KEY = re.compile(r"\bph[cx]_[A-Za-z0-9]{20,}")


def confine_for_write(root: Path, user_path: str) -> str:
    """The relative path of a file a task may propose to change, or a ToolError saying why not.

    Links are checked when the file is first read (every level, without following any).
    """
    parts = relative_parts(user_path)
    if not parts:
        raise ToolError("Give the path of a file, relative to the project root.")
    rel = "/".join(parts)
    if any(p in SKIP_DIRS for p in parts[:-1]) or parts[-1] in (RUN_DIR_NAME, ".git"):
        raise ToolError(
            f"{rel!r} is inside a folder the wizard never changes (dependencies, VCS data, build output "
            "or its own run dir); propose changes to the project's source instead."
        )
    if secret_kind(parts[-1]):
        raise ToolError(
            f"Refused: {rel} is a secret file, and the wizard never writes one. Name the environment "
            "variables the user must set in your handoff instead (an `.env.example` is fine)."
        )
    if is_ignored(root, rel):
        raise ToolError(f"{rel} is ignored by the project's .gitignore; the wizard changes only files it tracks.")
    return rel


def _task_viewer(ctx: ToolContext, tool: str) -> Viewer:
    if ctx.task is None:
        raise ToolError(f"{tool} is for task agents; the orchestrator only plans.")
    return (ctx.task.id, ctx.task.attempts)


def _refuse_keys(ctx: ToolContext, text: str, field: str) -> None:
    # Checked with any secret the scrubber hid put back: the agent must hear why, not just lose it.
    if _POSTHOG_KEY.search(ctx.services.secrets.restore(text)):
        raise ToolError(
            f"`{field}` holds what looks like a PostHog API key; never write a key into source. Read it from "
            "an environment variable (for example NEXT_PUBLIC_POSTHOG_KEY or POSTHOG_API_KEY) instead."
        )


def _refuse_unknown_markers(text: str, old: str, field: str) -> None:
    # A marker this run never handed out (forged, or from another run) would land in the source as it is.
    stray = [m for m in MARKER.findall(text) if m not in old]
    if stray:
        raise ToolError(
            f"`{field}` holds {stray[0]}, a secret marker that is not in the text you replace. Never copy a "
            "secret: keep each marker on its own line unchanged, and read new values from environment variables."
        )


async def propose_edit(ctx: ToolContext, args: ProposeEditInput) -> dict[str, Any]:
    viewer = _task_viewer(ctx, "propose_edit")
    rel = confine_for_write(ctx.services.install_dir, args.path)
    _refuse_keys(ctx, args.new, "new")
    # The agent read secrets as markers: `old` matches the file with the values back in place. Values
    # come back in `new` too, and the store refuses the edit unless each stays on a line it leaves as
    # it is (a value copied anywhere else would show in the patch).
    vault = ctx.services.secrets
    old, new = vault.restore(args.old), vault.restore(args.new)
    _refuse_unknown_markers(new, old, "new")
    try:
        outcome = ctx.services.proposals.propose_edit(viewer, rel, old, new)
    except EditError as exc:
        raise ToolError(str(exc)) from exc
    except OSError as exc:  # the run dir could not be written (disk full, read-only): the run stops
        raise ctx.services.disk_error(exc, "the proposal") from exc
    lines = [outcome.first_line, outcome.last_line]
    ctx.services.store.audit("propose", ctx.task, kind="edit", path=rel, changed_lines=lines)
    return {"path": rel, "changed_lines": lines, "proposed": True}


async def propose_file(ctx: ToolContext, args: ProposeFileInput) -> dict[str, Any]:
    viewer = _task_viewer(ctx, "propose_file")
    rel = confine_for_write(ctx.services.install_dir, args.path)
    _refuse_keys(ctx, args.content, "content")
    if "\x00" in args.content:
        raise ToolError("`content` holds a NUL byte; only text files can be proposed.")
    # What the scrubber hid comes back, and the store refuses any line that holds a secret value.
    content = ctx.services.secrets.restore(args.content)
    _refuse_unknown_markers(content, "", "content")
    try:
        ctx.services.proposals.propose_file(viewer, rel, content)
    except EditError as exc:
        raise ToolError(str(exc)) from exc
    except OSError as exc:  # the run dir could not be written (disk full, read-only): the run stops
        raise ctx.services.disk_error(exc, "the proposal") from exc
    ctx.services.store.audit("propose", ctx.task, kind="file", path=rel)
    return {"path": rel, "proposed": True}


async def write_report(ctx: ToolContext, args: WriteReportInput) -> dict[str, Any]:
    if ctx.task is None:
        raise ToolError("write_report is for the report task.")
    paths = ctx.services.paths
    _refuse_keys(ctx, args.content, "content")
    # The one file a task writes directly, and only in the run dir; rewriting it replaces it whole.
    try:
        atomic_write_text(paths.report, args.content if args.content.endswith("\n") else args.content + "\n")
    except OSError as exc:
        raise ctx.services.disk_error(exc, paths.report.name) from exc
    ctx.services.store.audit("report", ctx.task, path=paths.report.name)
    return {"path": paths.report.relative_to(paths.install_dir).as_posix()}


PROPOSE_TOOLS: list[ToolSpec[Any]] = [
    bind("propose_edit", propose_edit),
    bind("propose_file", propose_file),
    bind("write_report", write_report),
]
