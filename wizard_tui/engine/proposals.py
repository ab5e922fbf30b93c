"""The run's proposed changes: kept in memory, mirrored to `proposals.json`, never a copy of a file.

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

No secret value reaches the run dir through proposals (the model never sees one, and
nothing the run writes may show one):

- No copy of a project file is kept: only the original's hash and mode (`originals.py`).
- An edit that keeps a secret value in place is recorded with a `SecretRef` (where the value
  sits in the original) instead of the value (`domain/proposals.seal`).
- The patch and every task's diff leave secret lines out of their context
  (`domain/patch`); an edit that cannot be written so is refused when it is proposed, with
  a sentence telling the agent where to put it instead, and a commit that would need one
  (tasks interleaved with `--concurrency`) is a conflict, retried on the new state.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from wizard_tui.domain.changes import ChangedFile, ChangesManifest
from wizard_tui.domain.clock import Clock
from wizard_tui.domain.models import Task, TaskStatus
from wizard_tui.domain.nofollow import make_dirs
from wizard_tui.domain.patch import (
    FileChange,
    SecretInPatchError,
    check_secrets,
    file_diff,
    unified_patch,
)
from wizard_tui.domain.persistence import ProposalsUnreadable, RunPaths, read_proposals
from wizard_tui.domain.proposals import (
    EditError,
    EditOutcome,
    Proposal,
    ProposalsFile,
    ProposalState,
    apply_edit,
    replay,
    seal,
    visible,
)
from wizard_tui.domain.writers import atomic_write_bytes, atomic_write_model
from wizard_tui.engine.originals import MAX_PROPOSED_BYTES, OriginalChangedError, Originals, sha256

log = logging.getLogger(__name__)

NEW_FILE_MODE = 0o644

Viewer = tuple[str, int]  # (task id, attempt): whose staged proposals are visible too
# (text, path) -> the 0-based lines that hold secret values, and the values: what no patch may show.
SecretScan = Callable[[str, str], Mapping[int, frozenset[str]]]


def _no_secrets(text: str, rel: str) -> Mapping[int, frozenset[str]]:
    return {}


class ProposalStore:
    """Every proposal of one run; the one place that knows a file's proposed state."""

    def __init__(
        self, install_dir: Path, paths: RunPaths, run_id: str, clock: Clock, scan: SecretScan = _no_secrets
    ) -> None:
        self.install_dir = install_dir
        self.paths = paths
        self.clock = clock
        self.scan = scan
        self.file = ProposalsFile(run_id=run_id)
        self.originals = Originals(install_dir)

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
        except OriginalChangedError as exc:  # the tools show the file as it is; the patch will refuse
            log.error("%s", exc)
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
        original = self._original(rel)
        current = self.proposed_text(rel, viewer)
        if current is None:
            current = original
        if current is None:
            raise EditError(f"{rel} does not exist; propose it as a new file with propose_file.")
        outcome = apply_edit(current, old, new, path=rel)
        self._check_size(rel, outcome.text)
        self._check_patches(rel, outcome.text)
        # Whatever secret the edit keeps in place is recorded as where it sits, never as itself.
        values = [v for found in self.scan(current, rel).values() for v in found]
        values += [v for found in self.scan(outcome.text, rel).values() for v in found]
        sealed_old = seal(old, values, original, path=rel)
        sealed_new = seal(new, values, original, path=rel)
        self._add(viewer, rel, kind="edit", old=sealed_old, new=sealed_new)
        return outcome

    def propose_file(self, viewer: Viewer, rel: str, content: str) -> None:
        """Stage a new file; refused when it exists on disk or anyone already proposed it."""
        self._original(rel)
        if self.file.bases[rel].sha256 is not None:
            raise EditError(f"{rel} already exists; change it with propose_edit instead.")
        others = [p for p in self._live() if p.path == rel]
        if others:
            by = "you" if (others[0].task_id, others[0].attempt) == viewer else f"task {others[0].task_id}"
            raise EditError(f"{rel} is already proposed as a new file (by {by}); change it with propose_edit.")
        self._check_size(rel, content)
        self._check_patches(rel, content)
        self._add(viewer, rel, kind="file", content=content)

    def _check_size(self, rel: str, text: str) -> None:
        size = len(text.encode("utf-8"))
        if size > MAX_PROPOSED_BYTES:
            raise EditError(f"{rel} would be {size // 1024} KB, over the {MAX_PROPOSED_BYTES // 1024} KB cap.")

    def _check_patches(self, rel: str, after: str) -> None:
        """EditError unless both patches this proposal would reach can be written without a secret.

        Those are `changes.patch` (the original to `after`) and the task's diff (the committed
        state to `after`).
        """
        original = self._base_text(rel)
        committed = self.proposed_text(rel, None)
        befores = [original] if committed is None or committed == original else [original, committed]
        for before in befores:
            try:
                check_secrets(self._file_change(rel, before, after))
            except SecretInPatchError as exc:
                text = after if exc.side == "after" else before or ""
                raise EditError(exc.refusal(text, self.scan(text, rel).get(exc.line - 1, ()))) from exc

    def _file_change(self, rel: str, before: str | None, after: str) -> FileChange:
        """`before` -> `after` of one file, with the lines that hold secrets marked on both sides."""
        base = self.file.bases[rel]
        return FileChange(
            rel,
            None if before is None else before.encode("utf-8"),
            after.encode("utf-8"),
            base.mode if base.mode is not None else NEW_FILE_MODE,
            base.sha256,
            frozenset(self.scan(before, rel)) if before is not None else frozenset(),
            frozenset(self.scan(after, rel)),
        )

    def _add(self, viewer: Viewer, rel: str, **fields: object) -> None:
        seq = 1 + max((p.seq for p in self.file.proposals), default=0)
        proposal = Proposal(
            seq=seq, task_id=viewer[0], attempt=viewer[1], path=rel, created_at=self.clock.now(), **fields
        )
        # Not written yet: a staged proposal reaches the file when its attempt ends (committed or
        # discarded); a crash before that loses only what --resume would discard anyway.
        self.file.proposals.append(proposal)

    def _original(self, rel: str) -> str | None:
        """The file's original for the propose tools, captured at its first proposal; EditError when it cannot be."""
        if rel not in self.file.bases:
            self.file.bases[rel] = self.originals.capture(rel)
        return self.originals.for_edit(rel, self.file.bases[rel])

    def _base_text(self, rel: str) -> str | None:
        """The original text of a proposed file (None: a new file); OriginalChangedError when it is gone."""
        return self.originals.text(rel, self.file.bases[rel])

    def base_bytes(self, rel: str) -> bytes | None:
        """The original bytes of a proposed file (None for a new file), checked against its hash."""
        text = self._base_text(rel)
        return None if text is None else text.encode("utf-8")

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
            except OriginalChangedError as exc:
                return f"its proposals cannot be kept: {exc}"
        for p in staged:
            p.state, p.commit_order = ProposalState.COMMITTED, order
        try:
            # Interleaved tasks can meet at a secret line: then neither patch may be written as it is.
            diff = self._task_diff(order)
            for rel in dict.fromkeys(p.path for p in staged):
                check_secrets(self._file_change(rel, self._base_text(rel), self.proposed_text(rel, None) or ""))
        except (SecretInPatchError, EditError, OriginalChangedError) as exc:
            for p in staged:
                p.state, p.commit_order = ProposalState.STAGED, None
            return f"its proposals cannot be written as a patch on top of another task's, which finished first ({exc})"
        try:
            self._save(fsync=True)
        except BaseException:
            for p in staged:
                p.state, p.commit_order = ProposalState.STAGED, None
            raise
        try:
            make_dirs(self.paths.diffs, anchor=self.paths.install_dir)
            atomic_write_bytes(self.paths.task_diff(task_id), diff, fsync=False)
        except OSError as exc:  # only the viewer's copy: the proposals themselves are safe
            log.error("could not write the diff of %s: %s", task_id, exc)
        return None

    def _task_diff(self, order: int) -> bytes:
        """What the task committed as `order` changed, on top of the tasks committed before it."""
        changes = []
        for rel in dict.fromkeys(p.path for p in self.file.proposals if p.commit_order == order):
            history = visible(self.file.proposals, rel, None)
            original = self._base_text(rel)
            before = replay(original, [p for p in history if (p.commit_order or 0) < order])
            after = replay(original, [p for p in history if (p.commit_order or 0) <= order])
            changes.append(self._file_change(rel, before, after or ""))
        return unified_patch(changes)

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
            loaded = read_proposals(self.paths)
        except ProposalsUnreadable as exc:  # `Run.prepare` refuses this before a resume begins
            log.error("%s; starting without proposals", exc)
            return 0
        if loaded is None:
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
        """Write `changes.patch` and `changes.json`; None when nothing changes.

        A file whose patch would show a secret (a value learnt late in the run turned up next to
        a change) is left out of both, named in the manifest and the log; every proposal was
        checked when it was made, so this is the last guard, not the rule.
        """
        changes = self.changes()
        for stale in (self.paths.changes_manifest, self.paths.changes_patch):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()  # a resumed run recomputes both
        kept: list[FileChange] = []
        diffs: list[bytes] = []
        withheld: list[str] = []
        for change in sorted(changes, key=lambda c: c.path):  # unified_patch's order, each diff made once
            try:
                diffs.append(file_diff(change))
            except SecretInPatchError as exc:
                log.error("left %s out of the patch: %s", change.path, exc.why)
                withheld.append(change.path)
                continue
            kept.append(change)
        if not kept:
            return None
        patch = b"".join(diffs)
        files = [
            ChangedFile(
                path=change.path,
                action="create" if change.before is None else "modify",
                before_sha256=change.before_sha256,
                after_sha256=sha256(change.after),
                mode=change.mode,
                tasks=list(dict.fromkeys(p.task_id for p in visible(self.file.proposals, change.path, None))),
            )
            for change in kept
        ]
        manifest = ChangesManifest(
            run_id=self.file.run_id, created_at=now, patch_sha256=sha256(patch), files=files, withheld=withheld
        )
        # The patch first: `apply` trusts a manifest only with the patch it names beside it.
        atomic_write_bytes(self.paths.changes_patch, patch)
        atomic_write_model(self.paths.changes_manifest, manifest)
        return manifest

    def changes(self) -> list[FileChange]:
        """Every file whose committed proposals change it, in path order, its secret lines marked."""
        out: list[FileChange] = []
        for rel in sorted({p.path for p in self.file.proposals if p.state == ProposalState.COMMITTED}):
            original = self._base_text(rel)  # OriginalChangedError: the patch would not fit the project
            text = replay(original, visible(self.file.proposals, rel, None))
            if text is None or original == text:
                continue
            out.append(self._file_change(rel, original, text))
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
