"""`wizard-tui apply` and `revert`: the only code that writes the user's project, and only when asked.

`apply_changes` writes the last finished run's proposed files, all or none. Every target
is checked first: it must still be the original the run saw (its sha256), a regular file,
no link, reached through no link. What to undo is then recorded in
`applied/<run-id>/record.json`, every new content is written to a temp file beside its
target, and only then is each renamed into place; a failure part-way puts back what was
already renamed and removes the folders it made. `revert_changes` restores the project
byte for byte (content and permission bits; files and folders apply created are removed),
and refuses when a file changed since apply. Both hold the run dir's lock, so neither runs
while a wizard run writes there, and neither follows a link (see `domain/nofollow`).

No copy of a project file is kept, since a project's files may hold secret values. Apply
builds each new content from the original in the project (checked against the run's hash)
and the run's `proposals.json`, and checks it against the hash in `changes.json`, after
checking that `changes.patch` is the one the run wrote beside it (the tests check that
`git apply` of the patch gives the same bytes). For revert it records the lines it
replaced, which are the patch's removed lines (never a secret: the run refuses a change to
a line that holds one), with the hashes revert checks before and after.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from wizard_tui.domain import nofollow
from wizard_tui.domain.changes import (
    AppliedFile,
    AppliedRecord,
    ChangesManifest,
    Splice,
    apply_splices,
    undo_splices,
)
from wizard_tui.domain.nofollow import folder, lstat_at, read_at, replace_at, split_rel, unlink_at, write_temp_at
from wizard_tui.domain.persistence import QueueFileError, RunLock, RunLockedError, RunPaths, read_queue_file
from wizard_tui.domain.proposals import EditError, ProposalsFile, replay, visible
from wizard_tui.domain.writers import atomic_write_model
from wizard_tui.engine.rundir import RunSetupError, refuse_links

MAX_TARGET_BYTES = 64 * 1024 * 1024
MAX_RECORD_BYTES = 16 * 1024 * 1024
RECORD_NAME = "record.json"
M = TypeVar("M", bound=BaseModel)


class ApplyError(Exception):
    """Apply or revert cannot go ahead; the message is the one sentence a person sees (exit 2)."""


@dataclass
class ApplyOutcome:
    """What apply or revert did, for the command line and the UI."""

    run_id: str
    written: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    message: str = ""


@dataclass
class _Step:
    """Put `data` at `rel` with permission bits `mode` (None: remove it); `previous` is what to put back."""

    rel: str
    data: bytes | None
    mode: int
    previous: bytes | None
    previous_mode: int
    tmp: str | None = None
    done: bool = False


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def _locked(paths: RunPaths, held: bool) -> Iterator[None]:
    if not nofollow.lexists(paths.root):
        raise ApplyError(f"there is no wizard run in {paths.install_dir}; run `wizard-tui {paths.install_dir}` first.")
    try:
        refuse_links(paths)
    except RunSetupError as exc:
        raise ApplyError(str(exc)) from exc
    if held:
        yield
        return
    lock = RunLock(paths.lock)
    try:
        lock.acquire()
    except RunLockedError as exc:
        raise ApplyError(f"{exc}; wait for it to end, then try again.") from exc
    except OSError as exc:
        raise ApplyError(f"cannot lock {paths.root} ({exc.strerror or exc}).") from exc
    try:
        yield
    finally:
        lock.release()


def _read_model(path: Path, model: type[M], what: str) -> M:
    try:
        return model.model_validate_json(nofollow.read_regular(path, max_bytes=MAX_RECORD_BYTES))
    except (OSError, ValidationError) as exc:
        raise ApplyError(f"{path} cannot be read ({type(exc).__name__}); {what}.") from exc


def read_changes(paths: RunPaths) -> ChangesManifest | None:
    """The run dir's `changes.json`, None when there is none; ApplyError when it cannot be read."""
    if not nofollow.lexists(paths.changes_manifest):
        return None
    return _read_model(paths.changes_manifest, ChangesManifest, "run the wizard again")


def _run_dir_parts(paths: RunPaths, directory: Path) -> tuple[str, ...]:
    return directory.relative_to(paths.install_dir).parts


def _proposed(proposals: ProposalsFile, item_path: str, original: bytes | None, after_sha256: str) -> bytes:
    """The proposed content of one file, rebuilt from its original and the run's proposals, hash-checked."""
    try:
        text = replay(
            None if original is None else original.decode("utf-8"), visible(proposals.proposals, item_path, None)
        )
    except (EditError, UnicodeDecodeError) as exc:
        raise ApplyError(f"the run's proposals for {item_path} no longer apply; run the wizard again.") from exc
    after = (text or "").encode("utf-8")
    if _sha(after) != after_sha256:
        raise ApplyError(
            f"{item_path}: proposals.json does not give the content the run's patch names; run the wizard again."
        )
    return after


def _current(root: Path, rel: str) -> tuple[str | None, int | None, bytes | None]:
    """The sha256, permission bits and bytes of a project file now (Nones when it is absent).

    ApplyError when the file, or a folder on its path, is a link or not what it should be.
    """
    parts = split_rel(rel)
    try:
        with folder(root, parts[:-1]) as fd:
            info = lstat_at(fd, parts[-1])
            if info is None:
                return None, None, None
            if stat.S_ISLNK(info.st_mode):
                raise ApplyError(
                    f"{rel} is now a symbolic link; nothing was written (the wizard never writes through one)."
                )
            if not stat.S_ISREG(info.st_mode):
                raise ApplyError(f"{rel} is no longer a regular file; nothing was written.")
            data = read_at(fd, parts[-1], max_bytes=MAX_TARGET_BYTES)
    except FileNotFoundError:  # a folder on the way is missing: the file is too
        return None, None, None
    except nofollow.LinkRefusedError as exc:
        raise ApplyError(f"a folder on the path of {rel} is now a symbolic link; nothing was written.") from exc
    except NotADirectoryError as exc:
        raise ApplyError(
            f"a file now stands where a folder on the path of {rel} should be; nothing was written."
        ) from exc
    except OSError as exc:
        raise ApplyError(f"cannot read {rel} ({exc.strerror or exc}); nothing was written.") from exc
    return _sha(data), stat.S_IMODE(info.st_mode), data


def _run_steps(root: Path, steps: list[_Step], created_dirs: list[PurePosixPath]) -> None:
    """Stage every write in a temp file, then rename (or remove) each; undo everything on a failure."""
    try:
        for step in steps:
            if step.data is not None:
                parts = split_rel(step.rel)
                with folder(root, parts[:-1], create=True, created=created_dirs) as fd:
                    step.tmp = write_temp_at(fd, parts[-1], step.data, step.mode)
        for step in steps:
            parts = split_rel(step.rel)
            with folder(root, parts[:-1]) as fd:
                info = lstat_at(fd, parts[-1])
                if info is not None and stat.S_ISLNK(info.st_mode):
                    raise nofollow.LinkRefusedError(PurePosixPath(step.rel))
                if step.tmp is not None:
                    replace_at(fd, step.tmp, parts[-1])
                    step.tmp = None
                else:
                    unlink_at(fd, parts[-1])
                step.done = True
                nofollow.fsync_dir(fd)
    except OSError as exc:
        _undo(root, steps, created_dirs)
        raise ApplyError(
            f"could not write the project ({exc.strerror or exc}); every file was put back as it was."
        ) from exc


def _undo(root: Path, steps: list[_Step], created_dirs: list[PurePosixPath]) -> None:
    """Best effort: put back what was renamed, drop temp files and the folders made for new files."""
    for step in reversed(steps):
        parts = split_rel(step.rel)
        with contextlib.suppress(OSError), folder(root, parts[:-1]) as fd:
            if step.tmp is not None:
                unlink_at(fd, step.tmp)
            if step.done and step.previous is None:
                unlink_at(fd, parts[-1])
            elif step.done and step.previous is not None:
                replace_at(fd, write_temp_at(fd, parts[-1], step.previous, step.previous_mode), parts[-1])
    _remove_dirs(root, created_dirs)


def _remove_dirs(root: Path, created_dirs: list[PurePosixPath]) -> None:
    """Remove folders apply made, innermost first, when they are empty."""
    for rel in reversed(created_dirs):
        with contextlib.suppress(OSError), folder(root, rel.parts[:-1]) as fd:
            os.rmdir(rel.parts[-1], dir_fd=fd)


def _finished_changes(paths: RunPaths) -> tuple[str, ChangesManifest, ProposalsFile]:
    """The last finished run's id, manifest and proposals, with its patch checked; else ApplyError."""
    install_dir = paths.install_dir
    try:
        queue = read_queue_file(paths.queue)
    except QueueFileError as exc:
        raise ApplyError(f"there is no finished wizard run in {install_dir} ({exc}).") from exc
    if not queue.finished:
        raise ApplyError(
            f"the run {queue.run_id} in {install_dir} has not finished; finish it with --resume, then apply."
        )
    if not nofollow.lexists(paths.changes_manifest):
        raise ApplyError(f"the run {queue.run_id} proposed no changes; there is nothing to apply.")
    manifest = _read_model(paths.changes_manifest, ChangesManifest, "run the wizard again")
    if manifest.run_id != queue.run_id:
        raise ApplyError(f"{paths.changes_manifest} belongs to another run; run the wizard again.")
    try:
        patch = nofollow.read_regular(paths.changes_patch, max_bytes=MAX_RECORD_BYTES * 4)
    except OSError:
        patch = b""
    if _sha(patch) != manifest.patch_sha256:
        raise ApplyError(
            f"{paths.changes_patch} is not the patch the run wrote; apply an edited patch with `git apply`, "
            "or run the wizard again."
        )
    proposals = _read_model(paths.proposals, ProposalsFile, "run the wizard again")
    if proposals.run_id != queue.run_id:
        raise ApplyError(f"{paths.proposals} belongs to another run; run the wizard again.")
    return queue.run_id, manifest, proposals


def apply_changes(install_dir: Path, *, lock_held: bool = False, now: datetime | None = None) -> ApplyOutcome:
    """Apply the last finished run's changes to the project, every file or none (ApplyError says why not)."""
    paths = RunPaths(install_dir)
    with _locked(paths, lock_held):
        run_id, manifest, proposals = _finished_changes(paths)
        record_dir = paths.applied / run_id
        if nofollow.lexists(record_dir / RECORD_NAME):
            previous = _read_model(record_dir / RECORD_NAME, AppliedRecord, f"remove {record_dir} to apply again")
            if previous.state != "reverted":
                raise ApplyError(f"the changes of run {run_id} are already applied; revert them first.")

        steps: list[_Step] = []
        files: list[AppliedFile] = []
        for item in manifest.files:
            sha, mode, data = _current(install_dir, item.path)
            if item.action == "create" and sha is not None:
                raise ApplyError(f"{item.path} exists now, but the run proposed it as a new file; nothing was written.")
            if item.action == "modify" and sha != item.before_sha256:
                what = "was removed" if sha is None else "changed"
                raise ApplyError(
                    f"{item.path} {what} since the run; nothing was written. Run the wizard again to propose "
                    "changes to the project as it is now."
                )
            after = _proposed(proposals, item.path, data, item.after_sha256)
            new_mode = mode if mode is not None else item.mode
            steps.append(_Step(item.path, after, new_mode, data, mode or 0))
            restore: list[Splice] = [] if data is None else undo_splices(data, after)
            files.append(
                AppliedFile(
                    path=item.path,
                    before_sha256=sha,
                    before_mode=mode,
                    after_sha256=item.after_sha256,
                    after_mode=new_mode,
                    restore=restore,
                )
            )

        # What revert needs is on disk before the first byte of the project changes.
        record = AppliedRecord(run_id=run_id, state="applying", applied_at=now or datetime.now(UTC), files=files)
        try:
            nofollow.make_dirs(record_dir, anchor=install_dir)
            atomic_write_model(record_dir / RECORD_NAME, record)
        except OSError as exc:
            raise ApplyError(
                f"cannot record what to undo in {record_dir} ({exc.strerror or exc}); nothing was written."
            ) from exc

        created_dirs: list[PurePosixPath] = []
        try:
            _run_steps(install_dir, steps, created_dirs)
        except ApplyError:
            with contextlib.suppress(OSError):
                nofollow.unlink(record_dir / RECORD_NAME)
            raise
        record.state, record.created_dirs = "applied", [p.as_posix() for p in created_dirs]
        atomic_write_model(record_dir / RECORD_NAME, record)
        outcome = ApplyOutcome(run_id=run_id)
        for item in manifest.files:
            (outcome.created if item.action == "create" else outcome.written).append(item.path)
        outcome.message = (
            f"Applied the changes of run {run_id}: {len(outcome.written)} file(s) changed, "
            f"{len(outcome.created)} created."
        )
        return outcome


def _latest_record(paths: RunPaths) -> tuple[Path, AppliedRecord] | None:
    """The newest apply that was not reverted."""
    found: list[tuple[datetime, Path, AppliedRecord]] = []
    if not paths.applied.is_dir():
        return None
    for entry in os.scandir(paths.applied):
        if not entry.is_dir(follow_symlinks=False):
            continue
        with contextlib.suppress(OSError, ValidationError):
            raw = nofollow.read_regular(Path(entry.path) / RECORD_NAME, max_bytes=MAX_RECORD_BYTES)
            record = AppliedRecord.model_validate_json(raw)
            if record.state != "reverted":
                found.append((record.applied_at, Path(entry.path), record))
    if not found:
        return None
    _, record_dir, record = max(found, key=lambda item: item[0])
    return record_dir, record


def _restored(item: AppliedFile, applied: bytes | None) -> bytes:
    """The file as it was before apply, from what apply left there and the lines it replaced."""
    try:
        original = apply_splices(applied or b"", item.restore)
    except (ValueError, UnicodeEncodeError) as exc:
        raise ApplyError(f"the record of {item.path} is damaged; nothing was reverted.") from exc
    if _sha(original) != item.before_sha256:
        raise ApplyError(
            f"the record of {item.path} does not give back its original byte for byte; nothing was reverted."
        )
    return original


def revert_changes(install_dir: Path, *, lock_held: bool = False, now: datetime | None = None) -> ApplyOutcome:
    """Restore what the latest `apply` changed, byte for byte; ApplyError when a file changed since."""
    paths = RunPaths(install_dir)
    with _locked(paths, lock_held):
        latest = _latest_record(paths)
        if latest is None:
            raise ApplyError(f"nothing to revert: no applied changes are recorded in {paths.applied}.")
        record_dir, record = latest
        steps: list[_Step] = []
        for item in record.files:
            sha, mode, data = _current(install_dir, item.path)
            # An apply cut short by a crash may have left some files as they were: they need nothing.
            untouched = record.state == "applying" and sha == item.before_sha256
            if untouched:
                continue
            if sha != item.after_sha256:
                raise ApplyError(
                    f"{item.path} changed since the changes were applied; nothing was reverted. "
                    "Undo your own edits to it first, or restore it by hand."
                )
            original = None
            if item.before_sha256 is not None:
                original = _restored(item, data)
            steps.append(_Step(item.path, original, item.before_mode or 0, data, mode or 0))
        _run_steps(install_dir, steps, [])
        _remove_dirs(install_dir, [PurePosixPath(p) for p in record.created_dirs])
        record.state, record.reverted_at = "reverted", now or datetime.now(UTC)
        atomic_write_model(record_dir / RECORD_NAME, record)
        outcome = ApplyOutcome(run_id=record.run_id)
        for step in steps:
            (outcome.removed if step.data is None else outcome.written).append(step.rel)
        outcome.message = (
            f"Reverted the changes of run {record.run_id}: {len(outcome.written)} file(s) restored, "
            f"{len(outcome.removed)} removed."
        )
        return outcome
