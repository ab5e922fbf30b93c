"""The run's proposed changes: kept in memory, mirrored to `proposals.json`, originals as blobs.

Lifecycle of a proposal (decided here, used by the executor and the run):

- A task attempt's `propose_edit`/`propose_file` calls are **staged**: that attempt sees
  them (in `read_file`, `list_files`, `search_files`), nobody else does yet.
- When the task ends `done`, its staged proposals are **committed**, replayed on top of
  everything committed before. With `--concurrency` another task may have committed in
  the meantime: an edit whose `old` still matches exactly once applies as it would have
  (like a patch with context); one that no longer does makes the commit fail, and the
  task is retried on the new proposed state.
- When the attempt fails, ends without a report, ends `skipped`, or is interrupted, its
  staged proposals are **discarded** (kept in the file, marked, for inspection), so a
  retry starts from a clean proposed state and never sees half of its first attempt.
- On `--resume`, only committed proposals of tasks that `queue.json` says are done are
  kept; everything else was an attempt that did not finish.

`proposals.json` is written when an attempt ends (synchronously and fsynced on commit,
before the task is recorded done), not on every proposal: each call is in `audit.jsonl`
as it happens, and rewriting the whole file per call cost most of a proposal's time.

The original of each edited file is captured at its first proposal (bytes in
`blobs/<sha256>`, hash and mode in `proposals.json`), so the patch and `apply` compare
against what the run saw, whatever happens to the project meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import stat
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from wizard_tui.domain.changes import ChangedFile, ChangesManifest
from wizard_tui.domain.clock import Clock
from wizard_tui.domain.models import Task, TaskStatus
from wizard_tui.domain.nofollow import LinkRefusedError, folder, lstat_at, make_dirs, read_at, split_rel
from wizard_tui.domain.patch import FileChange, unified_patch
from wizard_tui.domain.persistence import RunPaths, atomic_write_bytes, atomic_write_model
from wizard_tui.domain.proposals import (
    BaseFile,
    EditError,
    EditOutcome,
    Proposal,
    ProposalsFile,
    ProposalState,
    apply_edit,
    replay,
    visible,
)

log = logging.getLogger(__name__)

# The same cap as read_file: a proposed file is one an agent could read whole.
MAX_PROPOSED_BYTES = 512 * 1024
NEW_FILE_MODE = 0o644

Viewer = tuple[str, int]  # (task id, attempt): whose staged proposals are visible too


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ProposalStore:
    """Every proposal of one run; the one place that knows a file's proposed state."""

    def __init__(self, install_dir: Path, paths: RunPaths, run_id: str, clock: Clock) -> None:
        self.install_dir = install_dir
        self.paths = paths
        self.clock = clock
        self.file = ProposalsFile(run_id=run_id)
        self._texts: dict[str, str] = {}  # base text by sha256

    # -- reading --------------------------------------------------------------------------------

    def _live(self) -> list[Proposal]:
        return [p for p in self.file.proposals if p.state != ProposalState.DISCARDED]

    def proposed_text(self, rel: str, viewer: Viewer | None) -> str | None:
        """The file's proposed state as `viewer` sees it, or None when it has no proposals for them."""
        mine = visible(self.file.proposals, rel, viewer)
        if not mine:
            return None
        try:
            return replay(self._base_text(rel), mine)
        except EditError:  # cannot happen for a committed history; a bug if it does
            log.exception("proposals of %s no longer replay", rel)
            return None

    def new_files(self, viewer: Viewer | None) -> list[str]:
        """Files that exist only as proposals, as `viewer` sees them."""
        return sorted({p.path for p in self.file.proposals if p.kind == "file" and _sees(viewer, p)})

    def proposed_paths(self, viewer: Viewer | None) -> list[str]:
        """Every file with proposals `viewer` sees."""
        return sorted({p.path for p in self.file.proposals if _sees(viewer, p)})

    def files_of(self, task_id: str, attempt: int | None = None) -> list[str]:
        """The files a task (or one attempt of it) proposed changes to, in the order it first did."""
        seen: dict[str, None] = {}
        for p in self._live():
            if p.task_id == task_id and (attempt is None or p.attempt == attempt):
                seen.setdefault(p.path, None)
        return list(seen)

    def __bool__(self) -> bool:
        return any(p.state == ProposalState.COMMITTED for p in self.file.proposals)

    # -- proposing (the tools) ------------------------------------------------------------------

    def propose_edit(self, viewer: Viewer, rel: str, old: str, new: str) -> EditOutcome:
        """Stage an edit against the file's proposed state; EditError says why it cannot be."""
        self._capture(rel)
        current = self.proposed_text(rel, viewer)
        if current is None:
            current = self._base_text(rel)
        if current is None:
            raise EditError(f"{rel} does not exist; propose it as a new file with propose_file.")
        outcome = apply_edit(current, old, new, path=rel)
        self._check_size(rel, outcome.text)
        self._add(viewer, rel, kind="edit", old=old, new=new)
        return outcome

    def propose_file(self, viewer: Viewer, rel: str, content: str) -> None:
        """Stage a new file; refused when it exists on disk or anyone already proposed it."""
        self._capture(rel)
        if self.file.bases[rel].sha256 is not None:
            raise EditError(f"{rel} already exists; change it with propose_edit instead.")
        others = [p for p in self._live() if p.path == rel]
        if others:
            by = "you" if (others[0].task_id, others[0].attempt) == viewer else f"task {others[0].task_id}"
            raise EditError(f"{rel} is already proposed as a new file (by {by}); change it with propose_edit.")
        self._check_size(rel, content)
        self._add(viewer, rel, kind="file", content=content)

    def _check_size(self, rel: str, text: str) -> None:
        size = len(text.encode("utf-8"))
        if size > MAX_PROPOSED_BYTES:
            raise EditError(f"{rel} would be {size // 1024} KB, over the {MAX_PROPOSED_BYTES // 1024} KB cap.")

    def _add(self, viewer: Viewer, rel: str, **fields: str) -> None:
        seq = 1 + max((p.seq for p in self.file.proposals), default=0)
        proposal = Proposal(
            seq=seq, task_id=viewer[0], attempt=viewer[1], path=rel, created_at=self.clock.now(), **fields
        )
        # Not written yet: a staged proposal reaches the file when its attempt ends (committed or
        # discarded); a crash before that loses only what --resume would discard anyway.
        self.file.proposals.append(proposal)

    def _capture(self, rel: str) -> None:
        """Record the file as it is now, the first time anyone proposes a change to it."""
        if rel in self.file.bases:
            return
        parts = split_rel(rel)
        try:
            with folder(self.install_dir, parts[:-1]) as fd:
                info = lstat_at(fd, parts[-1])
                if info is None:
                    base = BaseFile(path=rel)
                    data = None
                elif stat.S_ISLNK(info.st_mode):
                    raise EditError(f"{rel} is a symbolic link; the wizard never changes a link or what it points to.")
                elif not stat.S_ISREG(info.st_mode):
                    raise EditError(f"{rel} is not a regular file; only text files can be changed.")
                else:
                    data = read_at(fd, parts[-1], max_bytes=MAX_PROPOSED_BYTES)
                    base = BaseFile(path=rel, sha256=sha256(data), mode=stat.S_IMODE(info.st_mode))
        except FileNotFoundError:  # a parent folder is missing: a new file in new folders
            base, data = BaseFile(path=rel), None
        except LinkRefusedError as exc:
            raise EditError(f"{rel} cannot be changed: a folder on its path is a symbolic link.") from exc
        except NotADirectoryError as exc:
            raise EditError(f"{rel} cannot be created: a file stands where a folder on its path should be.") from exc
        except OSError as exc:
            raise EditError(f"{rel} cannot be read ({exc.strerror or exc}).") from exc
        if data is not None:
            if b"\x00" in data[:8192]:
                raise EditError(f"{rel} is a binary file; only text files can be changed.")
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise EditError(f"{rel} is not UTF-8 text, so the wizard cannot change it safely.") from exc
            assert base.sha256 is not None
            self._store_blob(base.sha256, data)
            self._texts[base.sha256] = text
        self.file.bases[rel] = base

    def _store_blob(self, digest: str, data: bytes) -> None:
        path = self.paths.blob(digest)
        if path.is_file() and not path.is_symlink():
            return
        make_dirs(self.paths.blobs, anchor=self.paths.install_dir)
        atomic_write_bytes(path, data, fsync=False)

    def _base_text(self, rel: str) -> str | None:
        base = self.file.bases[rel]
        if base.sha256 is None:
            return None
        text = self._texts.get(base.sha256)
        if text is None:
            text = self.base_bytes(rel).decode("utf-8")  # type: ignore[union-attr]
            self._texts[base.sha256] = text
        return text

    def base_bytes(self, rel: str) -> bytes | None:
        """The original bytes of a proposed file (None for a new file), checked against its hash."""
        base = self.file.bases[rel]
        if base.sha256 is None:
            return None
        with folder(self.paths.install_dir, (self.paths.root.name, self.paths.blobs.name)) as fd:
            data = read_at(fd, base.sha256, max_bytes=MAX_PROPOSED_BYTES)
        if sha256(data) != base.sha256:
            raise OSError(f"blobs/{base.sha256} was changed; the original of {rel} is lost")
        return data

    # -- lifecycle (executor and run) ----------------------------------------------------------

    def commit(self, task_id: str, attempt: int) -> str | None:
        """Make an attempt's staged proposals part of the run; a sentence when they conflict."""
        staged = [
            p
            for p in self.file.proposals
            if p.task_id == task_id and p.attempt == attempt and p.state == ProposalState.STAGED
        ]
        if not staged:
            return None
        order = 1 + max((p.commit_order or 0 for p in self.file.proposals), default=0)
        for rel in dict.fromkeys(p.path for p in staged):
            try:
                replay(self._base_text(rel), visible(self.file.proposals, rel, (task_id, attempt)))
            except EditError as exc:  # the caller discards them with the failed attempt
                return f"its proposals for {rel} conflict with another task's, which finished first ({exc})"
        for p in staged:
            p.state, p.commit_order = ProposalState.COMMITTED, order
        try:
            self._save(fsync=True)
        except BaseException:
            for p in staged:
                p.state, p.commit_order = ProposalState.STAGED, None
            raise
        try:
            self._write_task_diff(task_id, order)
        except OSError as exc:  # only the viewer's copy: the proposals themselves are safe
            log.error("could not write the diff of %s: %s", task_id, exc)
        return None

    def _write_task_diff(self, task_id: str, order: int) -> None:
        """`diffs/<task-id>.patch`: what this task changed, on top of the tasks committed before it."""
        changes = []
        for rel in dict.fromkeys(p.path for p in self.file.proposals if p.commit_order == order):
            history = visible(self.file.proposals, rel, None)
            before = replay(self._base_text(rel), [p for p in history if (p.commit_order or 0) < order])
            after = replay(self._base_text(rel), [p for p in history if (p.commit_order or 0) <= order])
            base = self.file.bases[rel]
            changes.append(
                FileChange(
                    rel,
                    None if before is None else before.encode("utf-8"),
                    (after or "").encode("utf-8"),
                    base.mode if base.mode is not None else NEW_FILE_MODE,
                )
            )
        make_dirs(self.paths.diffs, anchor=self.paths.install_dir)
        atomic_write_bytes(self.paths.task_diff(task_id), unified_patch(changes), fsync=False)

    def discard(self, task_id: str, attempt: int, reason: str) -> int:
        """Drop an attempt's staged proposals (they stay in the file, marked); how many."""
        dropped = 0
        for p in self.file.proposals:
            if p.task_id == task_id and p.attempt == attempt and p.state == ProposalState.STAGED:
                p.state, p.discarded_because = ProposalState.DISCARDED, reason
                dropped += 1
        if dropped:
            self._save(fsync=False)
        return dropped

    def load(self, tasks: Mapping[str, Task]) -> int:
        """On --resume: keep the committed proposals of done tasks, discard the rest; how many dropped."""
        try:
            data = self.paths.proposals.read_bytes() if self.paths.proposals.is_file() else None
        except OSError as exc:
            log.error("cannot read %s: %s", self.paths.proposals, exc)
            data = None
        if data is None:
            return 0
        try:
            loaded = ProposalsFile.model_validate_json(data)
        except ValidationError as exc:
            log.error("%s is not a proposals file (%s); starting without proposals", self.paths.proposals, exc)
            return 0
        loaded.run_id = self.file.run_id
        dropped = 0
        for p in loaded.proposals:
            task = tasks.get(p.task_id)
            kept = p.state == ProposalState.COMMITTED and task is not None and task.status == TaskStatus.DONE
            if p.state != ProposalState.DISCARDED and not kept:
                p.state, p.commit_order, p.discarded_because = (
                    ProposalState.DISCARDED,
                    None,
                    "its attempt never finished",
                )
                dropped += 1
        self.file = loaded
        if dropped:
            self._save(fsync=True)
        return dropped

    def _save(self, *, fsync: bool) -> None:
        atomic_write_model(self.paths.proposals, self.file, fsync=fsync)

    # -- the end --------------------------------------------------------------------------------

    def finish(self, now: datetime) -> ChangesManifest | None:
        """Write `changes.patch` and `changes.json` (with each proposed file in `blobs/`); None when nothing changes."""
        changes = self.changes()
        for stale in (self.paths.changes_manifest, self.paths.changes_patch):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()  # a resumed run recomputes both
        if not changes:
            return None
        patch = unified_patch(changes)
        files = []
        for change in changes:
            after_sha = sha256(change.after)
            self._store_blob(after_sha, change.after)
            files.append(
                ChangedFile(
                    path=change.path,
                    action="create" if change.before is None else "modify",
                    before_sha256=change.before_sha256,
                    after_sha256=after_sha,
                    mode=change.mode,
                    tasks=list(dict.fromkeys(p.task_id for p in visible(self.file.proposals, change.path, None))),
                )
            )
        manifest = ChangesManifest(run_id=self.file.run_id, created_at=now, patch_sha256=sha256(patch), files=files)
        # The patch first: `apply` trusts a manifest only with the patch it names beside it.
        atomic_write_bytes(self.paths.changes_patch, patch)
        atomic_write_model(self.paths.changes_manifest, manifest)
        return manifest

    def changes(self) -> list[FileChange]:
        """Every file whose committed proposals change it, in path order."""
        out: list[FileChange] = []
        for rel in sorted({p.path for p in self.file.proposals if p.state == ProposalState.COMMITTED}):
            text = self.proposed_text(rel, None)
            if text is None:
                continue
            before = self.base_bytes(rel)
            after = text.encode("utf-8")
            if before == after:
                continue
            base = self.file.bases[rel]
            mode = base.mode if base.mode is not None else NEW_FILE_MODE
            out.append(FileChange(rel, before, after, mode, base.sha256))
        return out


def _sees(viewer: Viewer | None, p: Proposal) -> bool:
    if p.state == ProposalState.COMMITTED:
        return True
    return p.state == ProposalState.STAGED and viewer is not None and (p.task_id, p.attempt) == viewer


def discard_quietly(store: ProposalStore, task_id: str, attempt: int, reason: str) -> int:
    """Discard, logging instead of raising when the run dir cannot be written (the task fails anyway)."""
    with contextlib.suppress(OSError):
        return store.discard(task_id, attempt, reason)
    log.error("could not record discarded proposals of %s", task_id)
    return 0
