"""The recorder: writes the run's event stream into its run dir, the one way a run does it.

Each fact on the bus becomes one line of `audit.jsonl`; when a task reports, its handoff
also gets its own file. The run, the UI's test fixtures and the UI benchmark all record
through this class, so what they write is what a run writes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from wizard_tui.domain import nofollow
from wizard_tui.domain.events import Event
from wizard_tui.domain.models import AuditRecord, HandoffFile
from wizard_tui.domain.persistence import RunPaths, handoff_name
from wizard_tui.domain.queue import QueueStore
from wizard_tui.domain.writers import JsonlAppender, atomic_write_model, model_bytes

log = logging.getLogger(__name__)

# The transitions after which a task may hold a handoff to write.
REPORTED = frozenset({"complete", "skip", "fail"})
# Handoff writes slower than this (a network or failing file system), SLOW_WRITES times in a run,
# move the rest off the event loop; one slow write may be the machine pausing the process.
SLOW_WRITE_S = 0.005
SLOW_WRITES = 3


class Recorder:
    """A bus subscriber appending audit lines and writing handoff files.

    A handoff file is written at once (a few system calls, no fsync: tens of microseconds on
    a local disk), which costs far less than handing it to a thread. With `background=True`
    (a run), once writes take over SLOW_WRITE_S the rest go to one worker thread, in order,
    so a slow file system never holds up the event loop; `flush()` waits for them.
    """

    def __init__(
        self,
        paths: RunPaths,
        store: QueueStore,
        *,
        background: bool = True,
        on_error: Callable[[OSError], None] | None = None,
        reported_by_executor: bool = False,
    ) -> None:
        self.paths = paths
        self.store = store
        self.background = background
        # A failed write (disk full, read-only) goes to `on_error`, which stops the run resumably.
        self._on_error = on_error
        # In a run the executor saves done and skipped tasks' handoffs (`save_handoff`) before
        # they count as done; the recorder writes the rest.
        self._reported = frozenset({"fail"}) if reported_by_executor else REPORTED
        self._audit = JsonlAppender(paths.audit, on_error=on_error)
        self._side_writer: ThreadPoolExecutor | None = None
        self._slow_writes = 0
        self._handoffs_fd: int | None = None  # the handoffs folder, walked without links once

    def __call__(self, event: Event) -> None:
        if not isinstance(event, AuditRecord):
            return
        self._audit.append(event)
        if event.event in self._reported and event.task_id:
            task = self.store.tasks.get(event.task_id)
            if task is not None and task.handoff is not None:
                # The handoff is already in queue.json; its own file follows.
                self._write_handoff(HandoffFile.of(task))

    def _write_handoff(self, record: HandoffFile) -> None:
        """The recorder's own handoff writes: a failure is reported (see `on_error`), never raised."""
        if self._side_writer is None:
            try:
                self._write_inline(record)
            except OSError as exc:
                if self._on_error is None:
                    raise
                self._on_error(exc)
            return
        future = self._side_writer.submit(atomic_write_model, self.paths.handoff(record.task_id), record, fsync=False)
        future.add_done_callback(self._report_side_write)

    async def save_handoff(self, record: HandoffFile) -> None:
        """Put a handoff file on disk now, raising OSError when it cannot be.

        The executor's proof that a task is done, saved before the task counts as done; in
        order with the recorder's other handoff writes, on the event loop while they are fast.
        """
        if self._side_writer is None:
            self._write_inline(record)
            return
        path = self.paths.handoff(record.task_id)
        await asyncio.wrap_future(self._side_writer.submit(atomic_write_model, path, record, fsync=False))

    def _write_inline(self, record: HandoffFile) -> None:
        started = time.perf_counter()
        if self._handoffs_fd is None:
            self._handoffs_fd = nofollow.open_dir(self.paths.handoffs)
        name = handoff_name(record.task_id)
        nofollow.write_atomic_at(self._handoffs_fd, name, model_bytes(record), fsync=False)
        if time.perf_counter() - started > SLOW_WRITE_S:
            self._slow_writes += 1
            if self.background and self._slow_writes >= SLOW_WRITES:
                self._side_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wizard-handoffs")

    def _report_side_write(self, future: Future[None]) -> None:
        error = future.exception()
        if isinstance(error, OSError) and self._on_error is not None:
            self._on_error(error)
        elif error is not None:  # the handoff is still in queue.json: say so, do not stop the run
            log.error("could not write a handoff file: %s", error)

    def write_missing_handoffs(self) -> None:
        """On resume: a kill can land after queue.json recorded a report but before its file was written."""
        for task in self.store.tasks.values():
            if task.status.terminal and task.handoff is not None and not self.paths.handoff(task.id).exists():
                atomic_write_model(self.paths.handoff(task.id), HandoffFile.of(task), fsync=False)

    def flush(self) -> None:
        """Wait until every audit line and handoff file recorded so far is on disk."""
        self._audit.flush()
        if self._side_writer is not None:
            self._side_writer.submit(lambda: None).result()

    def close(self) -> None:
        """Write what is queued, then close the audit log."""
        if self._side_writer is not None:
            self._side_writer.shutdown(wait=True)
        if self._handoffs_fd is not None:
            os.close(self._handoffs_fd)
            self._handoffs_fd = None
        self._audit.close()
