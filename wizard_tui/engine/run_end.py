"""How a run ends: its exit code and sentence, the last write of queue.json, and what the person can do next.

`Run` calls these once its work is over (done, interrupted, or stopped by a disk fault):
`ending` decides the exit code and sentence, `final_flush` writes the last queue.json,
`after_final_fault` says what a write refused at the very end left behind; after the lock
is let go of nothing is written but by `apply_at_end` (`--apply`, still holding the lock),
and `next_step` points at the patch or at the way to undo what was applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from wizard_tui.domain.changes import review_passed
from wizard_tui.domain.persistence import RunPaths
from wizard_tui.domain.printable import path_text, printable
from wizard_tui.domain.queue import QueueStore
from wizard_tui.domain.settings import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from wizard_tui.domain.verdict import RunVerdict
from wizard_tui.domain.writers import CoalescingWriter
from wizard_tui.engine.apply import ApplyError, apply_changes, read_changes
from wizard_tui.engine.disk_fault import fault_sentence
from wizard_tui.engine.recorder import Recorder
from wizard_tui.engine.run_config import RunConfig, RunResult

if TYPE_CHECKING:  # the seeding (and the tools with it) loads when a run starts: see run.py
    from wizard_tui.engine.seeding import WorkEnd


def ending(
    work: WorkEnd, outcome: RunVerdict, fault: OSError | None, paths: RunPaths, config: RunConfig
) -> tuple[int, str]:
    """The exit code and sentence of a run whose work ended as `work`, with the queue's `outcome`."""
    if fault is not None:
        return EXIT_FAILED, fault_sentence(fault, paths)
    if work.interrupted:
        return EXIT_INTERRUPTED, f"Interrupted. Continue with: {config.command('--resume')}"
    if work.exit_code == EXIT_OK:
        return (EXIT_OK if outcome.ok else EXIT_FAILED), outcome.sentence()
    return work.exit_code, work.message


async def final_flush(writer: CoalescingWriter, recorder: Recorder, on_fault: Callable[[OSError], None]) -> bool:
    """Write the last queue.json; True when it reached the disk."""
    try:
        await writer.flush()
        return writer.last_error is None
    except asyncio.CancelledError:
        with contextlib.suppress(OSError):
            writer.flush_sync()
        raise
    except OSError as exc:  # the disk is still full: the last whole queue.json stays in place
        on_fault(exc)
        return False
    finally:
        # Handoff files still queued are written before the run reports back.
        recorder.flush()
        writer.close()


def after_final_fault(message: str, fault: OSError, paths: RunPaths, *, finished_on_disk: bool) -> tuple[int, str]:
    """A write failed at the very end: never exit 0 on it.

    After the finished queue.json only the logs' last lines can fail; the run itself is whole
    and needs no resume.
    """
    if finished_on_disk:
        missing = fault_sentence(fault, paths, finished=True)
        return EXIT_FAILED, f"{message} Its last log lines may be missing: {missing}"
    return EXIT_FAILED, fault_sentence(fault, paths)


def apply_at_end(result: RunResult, paths: RunPaths, store: QueueStore, now: datetime) -> RunResult:
    """`--apply`: apply the patch, still holding the lock, when the run ended and its review passed."""
    if result.exit_code in (EXIT_INTERRUPTED, EXIT_USAGE):
        return result
    if not paths.changes_manifest.exists():
        return dataclasses.replace(result, message=f"{result.message} The run proposed no changes to apply.")
    if not review_passed(store.tasks.values()):
        return dataclasses.replace(
            result,
            exit_code=max(result.exit_code, EXIT_FAILED),
            message=f"{result.message} Not applied: --apply needs a review task that ended done.",
        )
    try:
        outcome = apply_changes(paths.install_dir, lock_held=True, now=now)
    except ApplyError as exc:
        return dataclasses.replace(result, exit_code=EXIT_USAGE, message=f"{result.message} Not applied: {exc}")
    return dataclasses.replace(result, message=f"{result.message} {outcome.message}", applied=outcome)


def next_step(result: RunResult, paths: RunPaths, config: RunConfig) -> RunResult:
    """Say where the patch is and the command that applies it (or undoes what --apply did)."""
    if result.exit_code in (EXIT_INTERRUPTED, EXIT_USAGE) and result.applied is None:
        return result
    try:
        manifest = read_changes(paths)
    except ApplyError:  # a patch we cannot read back is no patch to point at
        manifest = None
    if manifest is None or manifest.run_id != result.run_id:
        return result
    if result.applied is not None:
        step = f"Undo it with `{config.sub('revert')}`."
    else:
        step = (
            f"Review the proposed changes in {path_text(paths.changes_patch)}, "
            f"then apply them with `{config.sub('apply')}`."
        )
    if manifest.withheld:
        # Their diffs would have shown a secret value: the person makes those changes by hand.
        names = ", ".join(printable(name) for name in manifest.withheld)
        step += f" Left out of the patch because it would show a secret value: {names}; change them by hand."
    return dataclasses.replace(result, patch_files=len(manifest.files), next_step=step)
