"""The mirror: the UI's one input, a run dir read into `RunView` pictures as it changes.

`RunDirReader` is pure file reading (no Textual, no watching) so it can be tested and
benchmarked alone; `watch_run_dir` wraps it in a watchfiles loop. A run in the app and
`wizard-tui watch` render from the same pictures, so they look the same. The reader needs
no run id: a run archives the previous one before it writes anything (`Run.prepare`), and a
new `run_id` in queue.json (another run started in a watched dir) starts the picture over.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from wizard_tui.domain import nofollow
from wizard_tui.domain.changes import AppliedRecord
from wizard_tui.domain.events import AGENT_ENDED, API_RETRY, RUN_FINISHED, Event
from wizard_tui.domain.models import ORCHESTRATOR, AuditRecord, HandoffFile, QueueFile
from wizard_tui.domain.nofollow import TMP_SUFFIX
from wizard_tui.domain.persistence import MAX_QUEUE_FILE_BYTES, RunPaths
from wizard_tui.domain.printable import json_needs_printable, printable, printable_tree
from wizard_tui.engine.apply import RECORD_NAME
from wizard_tui.tui.run_view import ApiWait, RunView

if TYPE_CHECKING:
    from watchfiles import Change

# The run dir may be foreign (`watch` on a project someone else shipped): only regular files,
# never through a link, and only so much of each.
MAX_TASK_FILE_BYTES = 4 * 1024 * 1024  # a handoff, or one task's diff
MAX_PATCH_BYTES = 16 * 1024 * 1024
MAX_TAIL_CHUNK = 8 * 1024 * 1024


M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def parse_printable(model: type[M], data: bytes, *, multiline: bool = False) -> M:
    """Validate a run file, every string in it made printable: the project and the model wrote them.

    This is where foreign strings enter the UI, so the widgets never see a control character.
    """
    text = data.decode("utf-8", errors="replace")
    if not json_needs_printable(text):
        return model.model_validate_json(text)
    return model.model_validate(printable_tree(json.loads(text), multiline=multiline))


class JsonlTail:
    """Reads the lines appended to a JSON-lines file since the last call.

    A line without its newline yet is kept for the next call, an invalid line is
    skipped, and a file that was replaced or truncated (a new run) is read from the top.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._inode: int | None = None
        self._offset = 0
        self._partial = b""

    def read_new(self) -> list[dict[str, Any]]:
        try:
            fd = nofollow.open_for_reading(self.path)
        except (OSError, ValueError):
            return []
        try:
            st = os.fstat(fd)
            if st.st_ino != self._inode or st.st_size < self._offset:
                self._inode, self._offset, self._partial = st.st_ino, 0, b""
            if st.st_size == self._offset:
                return []
            chunk = os.pread(fd, min(st.st_size - self._offset, MAX_TAIL_CHUNK), self._offset)
        except OSError:
            return []
        finally:
            os.close(fd)
        self._offset += len(chunk)
        data = self._partial + chunk
        lines = data.split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > MAX_TAIL_CHUNK:  # a "line" this long is not ours: drop it
            self._partial = b""
        out: list[dict[str, Any]] = []
        for line in lines:
            if not line.strip():
                continue
            try:
                # Strings from the project and the model reach the screen: made printable here.
                text = line.decode("utf-8", errors="replace")
                value = json.loads(text)
                if json_needs_printable(text):
                    value = printable_tree(value)
            except (ValueError, RecursionError):
                continue
            if isinstance(value, dict):
                out.append(value)
        return out


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class TaskFiles(Generic[T]):
    """One file per task in a folder of the run dir (`handoffs/`, `diffs/`), re-read when it changes.

    A file counts only for a task of the run on screen, and can land before the queue write
    that lists its task: it is tried again at the next change.
    """

    def __init__(self, directory: Path, suffix: str, parse: Callable[[bytes], T]) -> None:
        self.directory = directory
        self.suffix = suffix
        self.parse = parse
        self.by_task: dict[str, T] = {}
        self._stamps: dict[str, tuple[int, int, int]] = {}

    def clear(self) -> None:
        self.by_task.clear()
        self._stamps.clear()

    def read(self, known: set[str]) -> bool:
        """Read new and changed files; whether any was."""
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return False
        changed = False
        for entry in entries:
            name = entry.name
            if not name.endswith(self.suffix) or name.startswith("."):
                continue
            task_id = name[: -len(self.suffix)]
            if task_id not in known:
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
            if self._stamps.get(task_id) == stamp:
                continue
            try:
                value = self.parse(nofollow.read_regular(Path(entry.path), max_bytes=MAX_TASK_FILE_BYTES))
            except (OSError, ValueError, RecursionError):
                continue  # read again after the next change
            self._stamps[task_id] = stamp
            self.by_task[task_id] = value
            changed = True
        return changed


def diff_text(data: bytes) -> str:
    """A diff as text for the screen: the project's bytes, with every control made visible."""
    return printable(data.decode("utf-8", errors="replace"), multiline=True)


class RunDirReader:
    """Re-reads a run dir after a change: queue.json, new task files, the patch and new log lines."""

    def __init__(self, paths: RunPaths) -> None:
        self.paths = paths
        self.run_dir = paths.root
        self.queue: QueueFile | None = None
        self.problem: str | None = None
        self.run_error: str | None = None
        self.stopped = False
        self.figures: dict[str, Any] = {}
        self.waits: dict[str, ApiWait] = {}
        self.started_at: datetime | None = None  # the run's first fact: see RunView.started_at
        self.patch: str | None = None
        self.applied: str | None = None
        self.handoffs = TaskFiles(paths.handoffs, ".json", lambda b: parse_printable(HandoffFile, b, multiline=True))
        self.diffs = TaskFiles(paths.diffs, ".patch", diff_text)
        self._queue_stamp: tuple[int, int, int] | None = None
        self._patch_stamp: tuple[int, int, int] | None = None
        self._applied_stamp: tuple[int, int, int] | None = None
        self._audit = JsonlTail(paths.audit)
        # The files the picture is built from: a change to any other file wakes nothing.
        self._watched_names = {p.name for p in (paths.queue, paths.audit, paths.install_intent, paths.changes_patch)}
        self._watched_dirs = {paths.handoffs.name, paths.diffs.name}

    def view(self) -> RunView:
        return RunView(
            self.queue,
            dict(self.handoffs.by_task),
            self.problem,
            self.run_error,
            self.stopped,
            dict(self.figures),
            dict(self.diffs.by_task),
            self.patch,
            dict(self.waits),
            self.applied,
            self.started_at,
        )

    def poll(self) -> tuple[RunView | None, list[Event]]:
        """Read whatever changed: a new view if the picture changed, and the new events in order.

        Called from one place at a time (the mirror's thread, or a test), so it takes no lock.
        """
        changed = self._read_queue()
        if self.queue is not None:
            known = {t.id for t in self.queue.tasks}
            changed = self.handoffs.read(known) or changed
            changed = self.diffs.read(known) or changed
        changed = self._read_patch() or changed
        changed = self._read_applied() or changed
        events = self._read_events()
        changed = self._note_lifecycle(events) or changed
        return (self.view() if changed else None), events

    def relevant(self, change: Change, path: str) -> bool:
        """A watchfiles filter: the files the view is built from, never temp files or archives."""
        p = Path(path)
        if p.name.endswith(TMP_SUFFIX):
            return False
        # By name, not by whole path: the watcher may report the folder's real path.
        if p.parent.name == self.run_dir.name:
            return p.name in self._watched_names
        if p.parent.parent.name == self.run_dir.name:
            return p.parent.name in self._watched_dirs
        # applied/<run-id>/record.json: what `apply` did with this run's changes.
        return p.name == RECORD_NAME and p.parent.parent.name == self.paths.applied.name

    def _read_applied(self) -> bool:
        """Whether this run's changes were applied to the project (`applied/<run-id>/record.json`)."""
        if self.queue is None:
            return False
        path = self.paths.applied / self.queue.run_id / RECORD_NAME
        stamp = _stamp(path)
        if stamp == self._applied_stamp:
            return False
        self._applied_stamp = stamp
        state = None
        if stamp is not None:
            try:
                state = parse_printable(AppliedRecord, nofollow.read_regular(path, max_bytes=MAX_TASK_FILE_BYTES)).state
            except (OSError, ValueError, RecursionError):
                self._applied_stamp = None  # half-written or foreign: try again at the next change
        if state == self.applied:
            return False
        self.applied = state
        return True

    def _read_queue(self) -> bool:
        stamp = _stamp(self.paths.queue)
        if stamp is None or stamp == self._queue_stamp:
            return False
        try:
            data = nofollow.read_regular(self.paths.queue, max_bytes=MAX_QUEUE_FILE_BYTES)
        except (OSError, ValueError):
            return False
        try:
            queue = parse_printable(QueueFile, data)
        except (ValueError, RecursionError) as exc:
            if not isinstance(exc, ValidationError):
                self._queue_stamp = stamp
                self.problem = "queue.json is not JSON; showing the last good state"
                return True
            # The writer renames whole files, so this is a foreign or broken writer: keep the
            # last good state on screen and say why it is not moving.
            self._queue_stamp = stamp
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "the top level"
            self.problem = f"queue.json is not valid ({where}: {first['msg']}); showing the last good state"
            return True
        self._queue_stamp = stamp
        if self.queue is not None and queue.run_id != self.queue.run_id:
            # Another run started in the watched dir: nothing of the old one applies.
            self.handoffs.clear()
            self.diffs.clear()
            self.run_error, self.stopped, self.figures = None, False, {}
            self.waits.clear()
            self.applied, self._applied_stamp = None, None
            self.started_at = None
        self.queue = queue
        self.problem = None
        return True

    def _read_patch(self) -> bool:
        """`changes.patch`, written when a run that proposed changes finishes (gone: none yet)."""
        stamp = _stamp(self.paths.changes_patch)
        if stamp == self._patch_stamp:
            return False
        self._patch_stamp = stamp
        patch = None
        if stamp is not None:
            try:
                patch = diff_text(nofollow.read_regular(self.paths.changes_patch, max_bytes=MAX_PATCH_BYTES))
            except (OSError, ValueError):
                self._patch_stamp = None  # try again at the next change
        if patch == self.patch:
            return False
        self.patch = patch
        return True

    def _read_events(self) -> list[Event]:
        events: list[Event] = []
        for raw in self._audit.read_new():
            with contextlib.suppress(ValidationError):
                events.append(AuditRecord.model_validate(raw))
        if self.queue is not None:
            events = [e for e in events if e.run_id == self.queue.run_id]
        events.sort(key=lambda e: e.ts)
        return events

    def _note_lifecycle(self, events: list[Event]) -> bool:
        """The facts of a run's life that queue.json does not hold: how it stopped or failed."""
        changed = False
        for event in events:
            if not isinstance(event, AuditRecord):
                continue
            if self.started_at is None or event.ts < self.started_at:
                self.started_at, changed = event.ts, True
            if event.event == "interrupted":
                self.stopped, changed = True, True
            elif event.event == "resume":
                self.stopped, self.run_error, changed = False, None, True
            elif event.event == "run-error":
                self.run_error, changed = str((event.model_extra or {}).get("message", "")), True
            elif event.event == RUN_FINISHED:
                self.figures, changed = dict(event.model_extra or {}), True
                self.waits.clear()
            changed = self._note_wait(event) or changed
        return changed

    def _note_wait(self, event: AuditRecord) -> bool:
        """An agent waiting on the model API, until its wait ends or its next fact says it moved on."""
        extra = event.model_extra or {}
        if event.event == API_RETRY:
            agent_id = str(extra.get("agent_id", ""))
            self.waits[agent_id] = ApiWait(dict(extra), event.ts)
            return True
        # The agent ended, its task moved on, or the orchestrator finished seeding.
        moved: object = extra.get("agent_id") if event.event == AGENT_ENDED else event.task_id
        if event.event == "orchestrator":
            moved = ORCHESTRATOR
        return moved is not None and self.waits.pop(str(moved), None) is not None


async def wait_for_dir(path: Path, poll_s: float = 0.05) -> None:
    """The run dir appears when the run opens it; until then there is nothing to watch."""
    while not path.is_dir():
        await asyncio.sleep(poll_s)


async def watch_run_dir(
    reader: RunDirReader,
    *,
    debounce_ms: int = 60,
    step_ms: int = 15,
    rescan_ms: int = 1_000,
    stop_event: asyncio.Event | None = None,
) -> AsyncIterator[tuple[RunView | None, list[Event]]]:
    """Yield (view if it changed, new events) at the start, after every batch of changes, and
    every `rescan_ms` without changes (which catches a write made before the watch began)."""
    await wait_for_dir(reader.run_dir)
    # Parsing runs in a thread so a large queue file or a burst of log lines never holds up keys.
    yield await asyncio.to_thread(reader.poll)
    # Imported after the first picture, not with the module: watchfiles brings anyio and
    # multiprocessing, which the app's first frame does not need (`python -m bench startup`).
    from watchfiles import awatch

    # Watch the folder, not queue.json: an atomic rename swaps the inode and a watch on the
    # file itself would go silent after the first write.
    async for _changes in awatch(
        reader.run_dir,
        watch_filter=reader.relevant,
        debounce=debounce_ms,
        step=step_ms,
        rust_timeout=rescan_ms,
        yield_on_timeout=True,
        stop_event=stop_event,
    ):
        yield await asyncio.to_thread(reader.poll)
