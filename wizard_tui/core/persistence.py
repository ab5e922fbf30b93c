"""The run dir on disk: atomic whole-file writes, append-only logs, and their readers.

The in-memory queue is the truth; these files are its reflection. Whole files are
replaced by rename so a concurrent reader sees the old or the new file, never a
torn one, and `queue.json` writes are coalesced so a burst of transitions costs
one write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from wizard_tui.core.models import AuditRecord, QueueFile

RUN_DIR_NAME = ".posthog-wizard"
TMP_SUFFIX = ".tmp"


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates 0600 files; the run's files should look like any other file the user writes.
_FILE_MODE = 0o666 & ~_current_umask()


class RunPaths:
    """Where everything of one run lives: `<install dir>/.posthog-wizard/`."""

    def __init__(self, install_dir: Path) -> None:
        self.install_dir = install_dir
        self.root = install_dir / RUN_DIR_NAME
        self.queue = self.root / "queue.json"
        self.audit = self.root / "audit.jsonl"
        self.telemetry = self.root / "telemetry.jsonl"
        self.install_intent = self.root / "install-intent.json"
        self.handoffs = self.root / "handoffs"
        self.markers = self.root / "markers"
        self.previous = self.root / "previous"
        self.gitignore = self.root / ".gitignore"

    def handoff(self, task_id: str) -> Path:
        return self.handoffs / f"{task_id}.json"

    def marker(self, task_id: str) -> Path:
        return self.markers / f"{task_id}.txt"

    def create(self) -> None:
        """Make the run dir, hidden from the user's `git status` by its own `.gitignore`."""
        for directory in (self.root, self.handoffs, self.markers):
            directory.mkdir(parents=True, exist_ok=True)
        if not self.gitignore.exists():
            atomic_write_text(self.gitignore, "*\n")
        self.remove_stale_temp_files()

    def remove_stale_temp_files(self) -> None:
        """Temp files left by a killed writer are garbage: the rename never happened."""
        for directory in (self.root, self.handoffs, self.markers):
            if not directory.is_dir():
                continue
            for path in directory.glob(f".*{TMP_SUFFIX}"):
                with contextlib.suppress(OSError):
                    path.unlink()

    def run_files(self) -> list[Path]:
        """The files and folders a run writes (everything except `previous/` and `.gitignore`)."""
        if not self.root.is_dir():
            return []
        keep = {self.previous.name, self.gitignore.name}
        return sorted(p for p in self.root.iterdir() if p.name not in keep)


def atomic_write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write to a temp file in the same folder, fsync, then rename over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), _FILE_MODE)
            handle.write(data)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str, *, fsync: bool = True) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), fsync=fsync)


def atomic_write_model(path: Path, model: BaseModel, *, fsync: bool = True) -> None:
    atomic_write_bytes(path, model.model_dump_json(indent=2).encode("utf-8") + b"\n", fsync=fsync)


class CoalescingWriter:
    """Writes the newest state of something, with at most one write in flight.

    `request()` is cheap and may be called on every transition; while a write is
    running, further requests only mark the state dirty, and one more write of the
    then-newest state follows. `flush()` waits until the file holds the newest state.
    """

    def __init__(self, render: Callable[[], bytes], path: Path, *, fsync: bool = True) -> None:
        self._render = render
        self._path = path
        self._fsync = fsync
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self.writes = 0
        self.requests = 0

    def request(self) -> None:
        self.requests += 1
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._dirty:
            self._dirty = False
            data = self._render()
            await asyncio.to_thread(atomic_write_bytes, self._path, data, fsync=self._fsync)
            self.writes += 1

    async def flush(self) -> None:
        if self._task is not None:
            # A cancelled caller must not leave the write half-done: shield it.
            await asyncio.shield(self._task)
        if self._dirty:
            self._dirty = False
            atomic_write_bytes(self._path, self._render(), fsync=self._fsync)
            self.writes += 1

    def flush_sync(self) -> None:
        """Last-resort synchronous write of the newest state (shutdown paths)."""
        self._dirty = False
        atomic_write_bytes(self._path, self._render(), fsync=self._fsync)
        self.writes += 1


class JsonlAppender:
    """Appends one JSON line per record; the file is never rewritten."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = path.open("a", encoding="utf-8")

    def append(self, record: BaseModel | dict[str, Any]) -> None:
        line = (
            record.model_dump_json()
            if isinstance(record, BaseModel)
            else json.dumps(record, default=str, separators=(",", ":"))
        )
        # One write call per line, flushed at once: a crash can tear at most the last line.
        self._handle.write(line + "\n")
        self._handle.flush()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._handle.close()


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Read a JSON-lines file, skipping a torn or invalid line instead of failing."""
    try:
        handle = path.open("r", encoding="utf-8", errors="replace")
    except OSError:
        return
    with handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                yield value


def read_audit(path: Path) -> list[AuditRecord]:
    records = []
    for raw in iter_jsonl(path):
        with contextlib.suppress(ValidationError):
            records.append(AuditRecord.model_validate(raw))
    return records


class QueueFileError(Exception):
    """`queue.json` is missing, unreadable, or not a queue of this tool."""


def read_queue_file(path: Path) -> QueueFile:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise QueueFileError(f"{path} does not exist") from exc
    except OSError as exc:
        raise QueueFileError(f"{path} cannot be read: {exc.strerror}") from exc
    try:
        return QueueFile.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "the top level"
        raise QueueFileError(f"{path} is not a valid queue file ({where}: {first['msg']})") from exc
