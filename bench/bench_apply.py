"""The proposal machinery: propose_edit through the tool box, the patch at the end, apply and revert.

A synthetic project of F files of 200 lines; one task proposes E edits spread over them
(each through `ToolBox.call`, so confinement, matching, persistence and the audit count),
then the run's end writes changes.patch, then apply and revert run on the project.
Run twice (E and 4E edits) to show how the cost grows, then once more with a secret line in
every file, far from the edits: each proposal's patch is then checked for it with a diff
(a file without a secret line needs none), and apply and revert rebuild every file from the
project and the proposals, never from a copy.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from tests.support.harness import Harness
from wizard_tui.domain.models import Handoff, TaskStatus
from wizard_tui.domain.writers import atomic_write_bytes
from wizard_tui.engine.apply import apply_changes, revert_changes

FILES = 60
LINES = 200


SECRET_LINE = 150  # the edits touch lines 0-30 of each file


def _project(root: Path, *, secrets: bool = False) -> Path:
    (root / "src").mkdir(parents=True)
    for f in range(FILES):
        lines = [f"export const value_{f}_{n} = {n}\n" for n in range(LINES)]
        if secrets:
            lines[SECRET_LINE] = f'export const token_{f} = "ghp_{f:04d}R8f2Kq9Lm3Nx7Vb1Cz5Wy4Tu6Is0Oe2"\n'
        (root / "src" / f"module_{f}.ts").write_text("".join(lines))
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


def _measure(edits: int, *, secrets: bool = False) -> tuple[float, float, float, float, int]:
    with tempfile.TemporaryDirectory(prefix="wizard-bench-apply-") as tmp:
        project = _project(Path(tmp) / "app", secrets=secrets)
        propose_s, patch_s, h = asyncio.run(_propose(project, edits))
        patch_bytes = h.paths.changes_patch.stat().st_size
        if secrets and sum(v.startswith("ghp_") for v in h.services.secrets.values.values()) != FILES:
            raise RuntimeError("the scanner did not see every planted secret line")
        if secrets and b"ghp_" in h.paths.changes_patch.read_bytes():
            raise RuntimeError("a secret line reached the patch")
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
    secret = _measure(600, secrets=True)
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
        (
            "proposals: the same 600 edits, a secret line in every file: per edit; patch; apply / revert",
            f"{secret[0] / 600 * 1000:.2f} ms; {secret[1] * 1000:.0f} ms; "
            f"{secret[2] * 1000:.0f} / {secret[3] * 1000:.0f} ms",
            "< 5 ms per edit",
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
