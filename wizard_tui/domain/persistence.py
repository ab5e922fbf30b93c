"""The run dir on disk: where each file lives (`RunPaths`), the readers, and the run lock.

The in-memory queue is the truth; these files are its reflection. Readers never fail on a
torn, foreign or hostile file: a log skips the line, `queue.json` is a `QueueFileError`
and `proposals.json` a `ProposalsUnreadable`, each with a sentence. How the files are
written (atomic whole files, the coalesced queue.json writer, append-only logs) is
`writers.py`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wizard_tui.domain import nofollow
from wizard_tui.domain.models import ORCHESTRATOR, SCHEMA_VERSION, AuditRecord, InstallIntent, QueueFile
from wizard_tui.domain.nofollow import TMP_SUFFIX
from wizard_tui.domain.printable import path_text
from wizard_tui.domain.proposals import ProposalsFile
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


def handoff_name(task_id: str) -> str:
    """The file name of a task's handoff in `handoffs/`."""
    return f"{task_id}.json"


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
        return self.handoffs / handoff_name(task_id)

    def marker(self, task_id: str) -> Path:
        return self.markers / f"{task_id}.txt"

    def task_diff(self, task_id: str) -> Path:
        return self.diffs / f"{task_id}.patch"

    def create(self) -> None:
        """Make the run dir, hidden from the user's `git status` by its own `.gitignore`.

        Every level is made and opened without following a link (see `nofollow`); the
        run dir is walked once and its folders are made inside that descriptor.
        """
        root_fd = nofollow.open_dir(self.root, create=True, anchor=self.install_dir)
        try:
            for directory in (self.handoffs, self.markers):
                os.close(nofollow.open_dir_at(root_fd, directory.name, create=True, shown=directory))
            if not nofollow.lexists(self.gitignore):
                nofollow.write_atomic_at(root_fd, self.gitignore.name, b"*\n")
        finally:
            os.close(root_fd)

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


class ProposalsUnreadable(Exception):
    """`proposals.json` is there but not ours to trust (not JSON, another shape, a link); the sentence says so."""


# Far above what a run proposes (a run caps its tasks and each task's turns).
MAX_PROPOSALS_BYTES = 64 * 1024 * 1024


def read_proposals(paths: RunPaths) -> ProposalsFile | None:
    """The run dir's `proposals.json`, None when there is none; never through a link."""
    if not nofollow.lexists(paths.proposals):
        return None
    try:
        return ProposalsFile.model_validate_json(nofollow.read_regular(paths.proposals, max_bytes=MAX_PROPOSALS_BYTES))
    except (OSError, ValidationError) as exc:
        why = "not a proposals file" if isinstance(exc, ValidationError) else (exc.strerror or type(exc).__name__)
        raise ProposalsUnreadable(f"{path_text(paths.proposals)} cannot be read ({why})") from exc


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
