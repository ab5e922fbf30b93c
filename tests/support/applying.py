"""A finished run that proposed changes, and a picture of a project tree: for apply/revert tests."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from tests.support.harness import Harness
from wizard_tui.domain.models import Handoff, TaskStatus
from wizard_tui.domain.writers import atomic_write_bytes

HANDOFF = Handoff(goal="g", did="d", for_next_agent="n")


def tree(root: Path) -> dict[str, str]:
    """Every entry under root but the run dir: files by content hash and mode, folders and links by what they are."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] == ".posthog-wizard":
            continue
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            out[rel] = f"link:{os.readlink(path)}"
        elif stat.S_ISDIR(info.st_mode):
            out[rel + "/"] = f"dir {stat.S_IMODE(info.st_mode):o}"
        else:
            out[rel] = f"{hashlib.sha256(path.read_bytes()).hexdigest()} {stat.S_IMODE(info.st_mode):o}"
    return out


def end_run(h: Harness, task: str) -> None:
    """Commit the task's proposals, end it done, write the patch and a finished queue.json."""
    assert h.services.proposals.commit(task, 1) is None
    h.store.complete(task, TaskStatus.DONE, HANDOFF)
    assert h.services.proposals.finish(h.store.clock.now()) is not None
    h.store.mark_finished()
    atomic_write_bytes(h.paths.queue, h.store.render())


async def finish_run(project: Path, calls: list[tuple[str, dict[str, Any]]]) -> Harness:
    """A finished run whose one task proposed `calls`: changes.patch, changes.json and a finished queue.json."""
    h = Harness(project)
    task = h.start_task("init")
    box = h.box(task)
    for tool, args in calls:
        result = await box.call(tool, args)
        assert not result.is_error, result.content
    end_run(h, task)
    return h
