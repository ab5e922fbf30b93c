"""The `review` body: every file the run changed must still parse, and its manifest be valid.

It runs after every other task (the queue holds it back until they finish), collects the
files the change tasks touched from their handoffs, reads each in its proposed state and
parses it with the real parser for its kind. Any failure fails the review, which keeps
`--apply` from applying the patch.
"""

from __future__ import annotations

from typing import Any

from wizard_tui.agents.offline.context import TaskContext
from wizard_tui.agents.offline.syntax import check_file

CHANGE_TYPES = ("install", "init", "identify", "capture", "llm-analytics")


async def changed_files(ctx: TaskContext) -> list[str]:
    """Files that finished change tasks proposed, in the order they were reported."""
    files: dict[str, None] = {}
    for task_type in CHANGE_TYPES:
        found: dict[str, Any] = await ctx.session.call("read_handoffs", {"type": task_type}) or {}
        for handoff in found.get("handoffs", []):
            if handoff.get("status") == "done":
                files.update(dict.fromkeys(handoff.get("files_touched") or []))
    return list(files)


async def review_body(ctx: TaskContext) -> None:
    goal = "Check that every changed file parses and every manifest is valid, before anything is applied."
    files = await changed_files(ctx)
    problems: list[str] = []
    for path in files:
        text = await ctx.project.read(path)
        if text is None:
            problems.append(f"{path}: could not be read back in its proposed state")
            continue
        problem = check_file(path, text)
        if problem:
            problems.append(problem)
    if problems:
        await ctx.finish(
            "failed",
            goal,
            f"{len(problems)} of {len(files)} changed file(s) do not parse: " + "; ".join(problems)[:6000],
            "Do not apply the patch as it is; the files named above need fixing first.",
        )
        return
    checked = ", ".join(files) if files else "no files (nothing was changed)"
    await ctx.finish(
        "done",
        goal,
        f"Parsed every changed file in its proposed state: {checked}.",
        "The patch is safe to apply: every changed file parses with its language's parser.",
        evidence=f"{len(files)} file(s) parsed (ast, tree-sitter, json, tomllib, packaging).",
    )
