"""The run dir on disk: atomic whole-file writes, append-only logs, and their readers.

The in-memory queue is the truth; these files are its reflection. Whole files are
replaced by rename so a concurrent reader sees the old or the new file, never a
torn one, and `queue.json` writes are coalesced so a burst of transitions costs
one write.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from wizard_tui.domain import nofollow
from wizard_tui.domain.models import ORCHESTRATOR, SCHEMA_VERSION, AuditRecord, InstallIntent, QueueFile
from wizard_tui.domain.nofollow import TMP_SUFFIX
from wizard_tui.domain.settings import (
    AUDIT_FILE,
    CHANGES_PATCH_FILE,
    HANDOFFS_DIR,
    INSTALL_INTENT_FILE,
    LOCK_NAME,
    MARKERS_DIR,
    ORPHANS_DIR,
    PREVIOUS_DIR,
    QUEUE_FILE,
    REPORT_FILE,
    RUN_DIR_NAME,
    TELEMETRY_FILE,
)

if sys.platform != "win32":
    import fcntl

MAX_QUEUE_FILE_BYTES = 64 * 1024 * 1024
MAX_INTENT_FILE_BYTES = 1024 * 1024
MAX_JSONL_BYTES = 512 * 1024 * 1024
# Run and task ids become file and folder names (markers, handoffs, previous/<run-id>):
# a queue file naming `../x` must never steer a write out of the run dir.
SAFE_ID = re.compile(r"^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class RunPaths:
    """Where everything of one run lives: `<install dir>/.posthog-wizard/`."""

    def __init__(self, install_dir: Path) -> None:
        self.install_dir = install_dir
        self.root = install_dir / RUN_DIR_NAME
        self.queue = self.root / QUEUE_FILE
        self.audit = self.root / AUDIT_FILE
        self.telemetry = self.root / TELEMETRY_FILE
        self.install_intent = self.root / INSTALL_INTENT_FILE
        self.handoffs = self.root / HANDOFFS_DIR
        self.markers = self.root / MARKERS_DIR
        self.previous = self.root / PREVIOUS_DIR
        self.orphans = self.root / ORPHANS_DIR
        self.gitignore = self.root / ".gitignore"
        self.lock = self.root / LOCK_NAME
        # Proposed changes (README, "What it writes"): the proposals and the patch; never a copy of a file.
        self.proposals = self.root / "proposals.json"
        self.changes_patch = self.root / CHANGES_PATCH_FILE
        self.changes_manifest = self.root / "changes.json"
        self.diffs = self.root / "diffs"  # one patch per task, written when its proposals are committed
        self.report = self.root / REPORT_FILE
        # What `apply` changed, kept across runs so `revert` works after a new run starts.
        self.applied = self.root / "applied"

    def handoff(self, task_id: str) -> Path:
        return self.handoffs / f"{task_id}.json"

    def marker(self, task_id: str) -> Path:
        return self.markers / f"{task_id}.txt"

    def task_diff(self, task_id: str) -> Path:
        return self.diffs / f"{task_id}.patch"

    def create(self) -> None:
        """Make the run dir, hidden from the user's `git status` by its own `.gitignore`.

        Every level is made and opened without following a link (see `nofollow`).
        """
        for directory in (self.root, self.handoffs, self.markers):
            nofollow.make_dirs(directory, anchor=self.install_dir)
        if not nofollow.lexists(self.gitignore):
            atomic_write_text(self.gitignore, "*\n")
        self.remove_stale_temp_files()

    def remove_stale_temp_files(self) -> None:
        """Temp files left by a killed writer are garbage: the rename never happened."""
        for directory in (self.root, self.handoffs, self.markers, self.diffs):
            for entry in _real_entries(directory):
                if entry.name.startswith(".") and entry.name.endswith(TMP_SUFFIX):
                    with contextlib.suppress(OSError, ValueError):
                        nofollow.unlink(Path(entry.path), anchor=self.install_dir)

    def run_files(self) -> list[Path]:
        """The files and folders a run wrote (not `previous/`, `.gitignore`, the lock or empty folders)."""
        keep = {self.previous.name, self.gitignore.name, self.lock.name, self.applied.name}
        out = []
        for entry in _real_entries(self.root):
            if entry.name in keep:
                continue
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False) and not any(os.scandir(entry.path)):
                    continue
            out.append(Path(entry.path))
        return sorted(out)


def _real_entries(directory: Path) -> list[os.DirEntry[str]]:
    """The entries of `directory` when it is a real folder (not a link to one), else none."""
    try:
        if not stat.S_ISDIR(os.lstat(directory).st_mode):
            return []
        return list(os.scandir(directory))
    except OSError:
        return []


def atomic_write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write to a temp file in the same folder, fsync, then rename over `path`.

    `path` must be absolute and resolved: no level of it is followed if it is a link.
    """
    nofollow.write_atomic(path, data, fsync=fsync)


def atomic_write_text(path: Path, text: str, *, fsync: bool = True) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), fsync=fsync)


def model_bytes(model: BaseModel) -> bytes:
    """How a record is laid out in its own file: indented JSON and a final newline."""
    return model.model_dump_json(indent=2).encode("utf-8") + b"\n"


def atomic_write_model(path: Path, model: BaseModel, *, fsync: bool = True) -> None:
    atomic_write_bytes(path, model_bytes(model), fsync=fsync)


# A file write that took less than this is not worth a thread hop (see CoalescingWriter).
INLINE_WRITE_S = 0.003


class CoalescingWriter:
    """Writes the newest state of something, with at most one write in flight.

    `request()` is cheap and may be called on every transition; while a write is
    running, further requests only mark the state dirty, and one more write of the
    then-newest state follows. After each write the writer rests for `rest_factor` times
    what the write cost, and at least `min_rest_s`, so writing a big queue takes a bounded
    share of the run (the cost of a run stays linear in its transitions) and a burst of
    transitions costs one write. A write that took under INLINE_WRITE_S last time (a
    small file, no slow disk) is done on the event loop: handing it to a thread costs more
    than the write; bigger or slower ones go to a worker thread. The file's folder is walked
    without following links once; every write goes through that descriptor (`close()` lets
    go of it).
    `flush()` cuts the rest short and waits until the file holds the newest state.
    """

    def __init__(
        self,
        render: Callable[[], bytes | list[bytes]],
        path: Path,
        *,
        fsync: bool = True,
        rest_factor: float = 4.0,
        min_rest_s: float = 0.002,
        join: Callable[[list[bytes]], bytes] = b"".join,
        on_error: Callable[[OSError], None] | None = None,
    ) -> None:
        self._render = render
        # A failed background write (disk full, read-only) is reported here instead of being lost
        # in a task nobody awaits; the file keeps its last whole state.
        self._on_error = on_error
        self._join = join  # a render may hand over pieces; they are joined off the event loop
        self._path = path
        self._fsync = fsync
        self._rest_factor = rest_factor
        self._min_rest_s = min_rest_s
        self._last_write_s = 0.0
        self._dir_fd: int | None = None
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self._hurry: asyncio.Event | None = None
        self.writes = 0
        self.requests = 0
        # The error of the last write tried, None once a later one succeeds: whether the newest
        # state is on disk after `flush()` (with `on_error`, a failed write does not raise).
        self.last_error: OSError | None = None

    def request(self) -> None:
        self.requests += 1
        self._dirty = True
        if self._task is None or self._task.done():
            self._hurry = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._dirty:
            self._dirty = False
            started = time.perf_counter()
            data = self._render()
            try:
                if self._last_write_s < INLINE_WRITE_S:
                    self._timed_write(data)
                else:
                    await asyncio.to_thread(self._timed_write, data)
            except OSError as exc:
                self.last_error = exc
                if self._on_error is None:
                    raise
                self._on_error(exc)
                return
            self.last_error = None
            self.writes += 1
            rest = max((time.perf_counter() - started) * self._rest_factor, self._min_rest_s)
            if rest > 0 and self._hurry is not None and not self._hurry.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._hurry.wait(), min(rest, 0.5))

    async def flush(self) -> None:
        if self._hurry is not None:
            self._hurry.set()
        if self._task is not None:
            # A cancelled caller must not leave the write half-done: shield it.
            await asyncio.shield(self._task)
        if self._dirty:
            self._dirty = False
            self._counted(self._write, self._render())

    def flush_sync(self) -> None:
        """Synchronous write of the newest state (the run's first write, and shutdown paths)."""
        self._dirty = False
        self._counted(self._timed_write, self._render())

    def _counted(self, write: Callable[[bytes | list[bytes]], None], data: bytes | list[bytes]) -> None:
        try:
            write(data)
        except OSError as exc:
            self.last_error = exc
            raise
        self.last_error = None
        self.writes += 1

    def _timed_write(self, data: bytes | list[bytes]) -> None:
        started = time.perf_counter()
        self._write(data)
        self._last_write_s = time.perf_counter() - started

    def _write(self, data: bytes | list[bytes]) -> None:
        if self._dir_fd is None:
            self._dir_fd = nofollow.open_dir(self._path.parent)
        whole = data if isinstance(data, bytes) else self._join(data)
        nofollow.write_atomic_at(self._dir_fd, self._path.name, whole, fsync=self._fsync)

    def close(self) -> None:
        """Let go of the folder's descriptor (a later write opens it again)."""
        if self._dir_fd is not None:
            os.close(self._dir_fd)
            self._dir_fd = None


class JsonlAppender:
    """Appends one JSON line per record; the file is never rewritten.

    Inside an event loop the lines of one loop turn reach the file together, flushed as the
    turn ends (one write call instead of one per line: a run records several lines per task,
    and on a busy machine each call costs); outside a loop each line is flushed at once. A
    crash can lose the lines of the turn it interrupts and tear at most the last one; readers
    skip a torn line.

    A failed write (disk full) goes to `on_error` once and later lines are dropped, so a
    transition never fails because its log line could not be written; without `on_error` it
    is raised by the next append, flush or close.
    """

    def __init__(self, path: Path, *, on_error: Callable[[OSError], None] | None = None) -> None:
        self.path = path
        self._on_error = on_error
        self._failed = False  # reported to on_error: the rest is dropped
        self._flush_scheduled = False
        self._error: OSError | None = None
        # A planted link or second name would point the log at someone else's file: refused.
        fd = nofollow.open_regular(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
        torn = _ends_torn(fd)
        self._handle = os.fdopen(fd, "a", encoding="utf-8")
        if torn:
            # A killed writer left half a line; end it so the next record starts a line of its own.
            self._handle.write("\n")
            self._handle.flush()

    def append(self, record: BaseModel | dict[str, Any]) -> None:
        line = (
            record.model_dump_json()
            if isinstance(record, BaseModel)
            else json.dumps(record, default=str, separators=(",", ":"))
        )
        if self._failed:
            return
        self._raise_error()
        try:
            self._handle.write(line + "\n")  # a full buffer writes through here
        except OSError as exc:
            self._write_failed(exc)
            self._raise_error()
            return
        if self._flush_scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._flush_scheduled = True
        loop.call_soon(self._flush_turn)

    def _flush_turn(self) -> None:
        self._flush_scheduled = False
        self._flush_handle()

    def _flush_handle(self) -> None:
        if self._failed:
            return
        try:
            self._handle.flush()
        except OSError as exc:
            self._write_failed(exc)

    def _write_failed(self, exc: OSError) -> None:
        if self._on_error is None:
            self._error = exc
        elif not self._failed:
            self._failed = True
            self._on_error(exc)

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def flush(self) -> None:
        """Every line appended so far is in the file (or its failure was reported)."""
        self._raise_error()
        self._flush_handle()
        self._raise_error()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._handle.close()


def _ends_torn(fd: int) -> bool:
    try:
        size = os.fstat(fd).st_size
        return size > 0 and os.pread(fd, 1, size - 1) != b"\n"
    except OSError:
        return False


def iter_jsonl(path: Path, *, max_bytes: int = MAX_JSONL_BYTES) -> Iterator[dict[str, Any]]:
    """Read a JSON-lines file, skipping a torn, foreign or invalid line instead of failing.

    Only a regular file is read, never through a link, and at most `max_bytes` of it; anything
    else reads as empty. Lines end at `\n` only (a U+2028 inside a label does not split one).
    """
    try:
        fd = nofollow.open_for_reading(path)
    except (OSError, ValueError):
        return
    with os.fdopen(fd, "r", encoding="utf-8", errors="replace", newline="\n") as handle:
        budget = max_bytes
        for line in handle:
            budget -= len(line)
            if budget < 0:
                return
            line = line.strip()
            if not line:
                continue
            try:
                value = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                continue
            if isinstance(value, dict):
                yield value


def read_audit(path: Path) -> list[AuditRecord]:
    records = []
    for raw in iter_jsonl(path):
        with contextlib.suppress(ValidationError):
            records.append(AuditRecord.model_validate(raw))
    return records


def read_install_intent(path: Path) -> InstallIntent | None:
    """The recorded install intent, or None when there is none that can be read (a link, torn, foreign)."""
    try:
        return InstallIntent.model_validate_json(nofollow.read_regular(path, max_bytes=MAX_INTENT_FILE_BYTES))
    except (OSError, nofollow.NotRegularError, ValidationError):
        return None


class QueueFileError(Exception):
    """`queue.json` is missing, unreadable, or not a queue of this tool."""


def read_queue_file(path: Path) -> QueueFile:
    """Read and validate `queue.json`; anything else (torn, foreign, hostile) is a QueueFileError."""
    try:
        # A link, FIFO or device would lead elsewhere, block or never end: only a regular file is read.
        data = nofollow.read_regular(path, max_bytes=MAX_QUEUE_FILE_BYTES)
    except FileNotFoundError as exc:
        raise QueueFileError(f"{path} does not exist") from exc
    except nofollow.NotRegularError as exc:
        raise QueueFileError(str(exc)) from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise QueueFileError(f"{path} is a symbolic link, not a queue file") from exc
        raise QueueFileError(f"{path} cannot be read: {exc.strerror}") from exc
    try:
        queue = QueueFile.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "the top level"
        raise QueueFileError(f"{path} is not a valid queue file ({where}: {first['msg']})") from exc
    problem = queue_problem(queue)
    if problem:
        raise QueueFileError(f"{path} is not a valid queue file ({problem})")
    return queue


def queue_problem(queue: QueueFile) -> str | None:
    """What makes a parsed queue unusable: another schema version, unsafe ids, or a broken graph."""
    if queue.version != SCHEMA_VERSION:
        return f"it has version {queue.version}; this wizard-tui reads version {SCHEMA_VERSION}"
    if not SAFE_ID.match(queue.run_id):
        return f"run_id {queue.run_id[:40]!r} is not a run id"
    seen: set[str] = set()
    for task in queue.tasks:
        if not SAFE_ID.match(task.id) or task.id == ORCHESTRATOR:
            return f"task id {task.id[:40]!r} is not a task id"
        if task.id in seen:
            return f"task id {task.id} appears twice"
        # Dependencies name earlier tasks only, which also keeps the graph acyclic.
        unknown = [dep for dep in task.depends_on if dep not in seen]
        if unknown:
            return f"task {task.id} depends on {unknown[0][:40]!r}, which is not an earlier task"
        seen.add(task.id)
    return None


class RunLockedError(Exception):
    """Another live process holds the run dir."""


class RunLock:
    """An advisory lock on the run dir; the OS drops it when the holder exits, even on SIGKILL.

    `fcntl.flock` on a file opened through `nofollow.open_regular`, not the `filelock`
    package: filelock opens and truncates its lock file itself, through a hard link or FIFO
    a hostile checkout could plant in the run dir, where this file is refused unless it is
    a regular file with one name. The run dir's writes walk folders with `dir_fd`, which
    only POSIX systems offer, so on Windows there is nothing a lock could protect yet.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        if sys.platform == "win32":
            return
        # Never through a link, and never a second name of another file: it is truncated below.
        fd = nofollow.open_regular(self.path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise RunLockedError(f"another wizard-tui is running in {self.path.parent}") from exc
        except OSError:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
