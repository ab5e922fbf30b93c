"""The proposal machinery: propose_edit through the tool box, the patch at the end, apply and revert.

A synthetic project of F files of 200 lines; one task proposes E edits spread over them
(each through `ToolBox.call`, so confinement, matching, persistence and the audit count),
then the run's end writes changes.patch, then apply and revert run on the project.
Run twice (E and 4E edits) to show how the cost grows.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from tests.support.harness import Harness
from wizard_tui.domain.models import Handoff, TaskStatus
from wizard_tui.domain.persistence import atomic_write_bytes
from wizard_tui.engine.apply import apply_changes, revert_changes

FILES = 60
LINES = 200


def _project(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    for f in range(FILES):
        body = "".join(f"export const value_{f}_{n} = {n}\n" for n in range(LINES))
        (root / "src" / f"module_{f}.ts").write_text(body)
    return root


async def _propose(project: Path, edits: int) -> tuple[float, float, Harness]:
    h = Harness(project)
    task = h.start_task("init")
    box = h.box(task)
    started = time.perf_counter()
    for e in range(edits):
        f, n = e % FILES, (e // FILES) * 3 % LINES
        old = f"export const value_{f}_{n} = {n}\n"
        result = await box.call("propose_edit", {"path": f"src/module_{f}.ts", "old": old, "new": f"// tracked\n{old}"})
        assert not result.is_error, result.content
    propose_s = time.perf_counter() - started
    assert h.services.proposals.commit(task, 1) is None
    h.store.complete(task, TaskStatus.DONE, Handoff(goal="g", did="d", for_next_agent="n"))
    started = time.perf_counter()
    h.services.proposals.finish(h.store.clock.now())
    patch_s = time.perf_counter() - started
    h.store.mark_finished()
    atomic_write_bytes(h.paths.queue, h.store.render())
    return propose_s, patch_s, h


def _measure(edits: int) -> tuple[float, float, float, float, int]:
    with tempfile.TemporaryDirectory(prefix="wizard-bench-apply-") as tmp:
        project = _project(Path(tmp) / "app")
        propose_s, patch_s, h = asyncio.run(_propose(project, edits))
        patch_bytes = h.paths.changes_patch.stat().st_size
        started = time.perf_counter()
        apply_changes(project)
        apply_s = time.perf_counter() - started
        started = time.perf_counter()
        revert_changes(project)
        revert_s = time.perf_counter() - started
    return propose_s, patch_s, apply_s, revert_s, patch_bytes


def run() -> list[tuple[str, str, str]]:
    small = _measure(150)
    large = _measure(600)
    per_edit_small = small[0] / 150 * 1000
    per_edit_large = large[0] / 600 * 1000
    return [
        (
            "proposals: propose_edit through the tool box, 150 / 600 edits on 60 files",
            f"{per_edit_small:.2f} / {per_edit_large:.2f} ms per edit ({per_edit_large / per_edit_small:.1f}x)",
            "< 5 ms per edit",
        ),
        (
            "proposals: changes.patch for 60 files (150 / 600 edits)",
            f"{small[1] * 1000:.0f} / {large[1] * 1000:.0f} ms, {large[4] // 1024} KB",
            "< 500 ms",
        ),
        ("apply / revert, 60 files", f"{large[2] * 1000:.0f} / {large[3] * 1000:.0f} ms", "info"),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
