"""Running one integrator on an in-memory project, the way the propose tools would apply its plan."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from wizard_tui.agents.offline.changes import Edit, NewFile, Plan, apply_edits
from wizard_tui.agents.offline.project import DictProject
from wizard_tui.agents.offline.syntax import check_file

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
