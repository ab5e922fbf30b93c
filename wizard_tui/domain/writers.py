"""How the run dir is written: whole files replaced by rename, the coalesced writer, append-only logs.

Whole files are replaced by rename so a concurrent reader sees the old or the new file,
never a torn one; `CoalescingWriter` writes the newest state of something (queue.json)
with at most one write in flight, so a burst of transitions costs one write;
`JsonlAppender` appends one JSON line per record and never rewrites the file. Every write
goes through `nofollow`: no level of a path is followed if it is a link. The readers, and
where each file lives, are `persistence.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from wizard_tui.domain import nofollow


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
                    async with asyncio.timeout(min(rest, 0.5)):  # in this task: no task per rest
                        await self._hurry.wait()

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


# How long an appended line may wait in memory for the lines that follow it (see JsonlAppender).
FLUSH_AFTER_S = 0.002


class JsonlAppender:
    """Appends one JSON line per record; the file is never rewritten.

    Inside an event loop the lines reach the file together FLUSH_AFTER_S after the first of
    them (one write call instead of one per line or per loop turn: a run records several lines
    per task, each call costs, and a reader watching the file wakes once per write); outside a
    loop each line is flushed at once. A crash can lose the lines of its last FLUSH_AFTER_S and
    tear at most the last one; readers skip a torn line. `flush()` writes them at once.

    A failed write (disk full) goes to `on_error` once and later lines are dropped, so a
    transition never fails because its log line could not be written; without `on_error` it
    is raised by the next append, flush or close.
    """

    def __init__(self, path: Path, *, on_error: Callable[[OSError], None] | None = None) -> None:
        self.path = path
        self._on_error = on_error
        self._failed = False  # reported to on_error: the rest is dropped
        self._flush_timer: asyncio.TimerHandle | None = None
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
        if self._flush_timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._flush_timer = loop.call_later(FLUSH_AFTER_S, self._flush_later)

    def _flush_later(self) -> None:
        self._flush_timer = None
        self._flush_handle()

    def _cancel_timer(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None

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
        self._cancel_timer()
        self._raise_error()
        self._flush_handle()
        self._raise_error()

    def close(self) -> None:
        """Write what is held and let go of the file."""
        self._cancel_timer()
        with contextlib.suppress(OSError):
            self._handle.close()


def _ends_torn(fd: int) -> bool:
    try:
        size = os.fstat(fd).st_size
        return size > 0 and os.pread(fd, 1, size - 1) != b"\n"
    except OSError:
        return False
