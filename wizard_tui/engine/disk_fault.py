"""A write to the run dir failed (disk full, read-only, a link planted mid-run): stop the run, say so.

Every writer of a run (queue.json's, the recorder's, telemetry's, the tools') reports a
failed write to one `DiskFault`; the first one is kept and cancels the run's work, the way
Ctrl-C stops it, and the run ends with `fault_sentence`. The last queue.json written is
whole (writes are atomic), so the run can be resumed once the cause is fixed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from wizard_tui.domain import nofollow
from wizard_tui.domain.persistence import RunPaths
from wizard_tui.domain.printable import printable

log = logging.getLogger(__name__)


class DiskFault:
    """The first failed write of one run; calling it with an `OSError` stops the work. Safe from any thread."""

    def __init__(self) -> None:
        self.error: OSError | None = None
        self._work: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def stops(self, work: asyncio.Task[Any]) -> None:
        """A fault from now on cancels `work` (on the running loop, whichever thread reports it)."""
        self._work, self._loop = work, asyncio.get_running_loop()

    def __call__(self, error: OSError) -> None:
        if self.error is not None:
            return
        self.error = error
        log.info("could not write to the run dir: %s", error)  # the run ends with a sentence saying so
        work, loop = self._work, self._loop
        if work is None or loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is already closed: nothing left to stop
            loop.call_soon_threadsafe(work.cancel)


def fault_sentence(error: OSError, paths: RunPaths, *, finished: bool = False) -> str:
    """The one sentence a person reads when the run dir could not be written (`finished`: the run is whole)."""
    where = printable(error.filename or paths.root)
    if finished:
        return f"could not write {where} ({error.strerror or error})."
    then = "continue with --resume" if nofollow.lexists(paths.queue) else "run again"
    return (
        f"Stopped: could not write {where} ({error.strerror or error}). "
        f"Free some space or make the folder writable, then {then}."
    )
