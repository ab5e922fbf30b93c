"""Running one integrator on an in-memory project, the way the propose tools would apply its plan."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

from wizard_tui.agents.offline.changes import Edit, NewFile, Plan, apply_edits
from wizard_tui.agents.offline.context import TaskContext
from wizard_tui.agents.offline.project import DictProject
from wizard_tui.agents.offline.session import Session
from wizard_tui.agents.offline.syntax import check_file
from wizard_tui.domain.frameworks import framework
from wizard_tui.domain.models import Task

Planner = Callable[[DictProject], Awaitable[Plan]]


async def applied(files: dict[str, str], planner: Planner) -> tuple[Plan, dict[str, str]]:
    """The plan, and the files after its changes, each of which must parse."""
    project = DictProject(files)
    plan = await planner(project)
    state = {path: await project.read(path) or "" for path in files}
    for change in plan.changes:
        if isinstance(change, NewFile):
            assert change.path not in state, f"{change.path} exists: propose_file would refuse it"
            state[change.path] = change.content
        else:
            assert isinstance(change, Edit) and change.old, "propose_edit needs old text"
            state[change.path] = apply_edits(state[change.path], [change])
    for path in plan.files:
        assert check_file(path, state[path]) is None, (path, state[path])
    return plan, state


def task_context(
    files: dict[str, str],
    framework_id: str,
    inputs: dict[str, Any] | None = None,
    detection: dict[str, Any] | None = None,
    task_type: str = "capture",
) -> TaskContext:
    """A task body's context over an in-memory project, for the planning half of a body (the
    half that reads and decides); proposing and reporting need a real session and are not called."""
    task = Task(id="t-test", type=task_type, label="test", inputs=inputs or {}, created_at=datetime.now(UTC))
    project: Any = DictProject(files)
    return TaskContext(cast(Session, None), task, detection or {}, project, framework(framework_id), ".")
