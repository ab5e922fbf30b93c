"""The records of a run's outcome on the project: what it proposes, and what `apply` did.

`changes.json` (beside `changes.patch`) lists every changed file with the hash of the
original the run saw and of the proposed content, so `apply` can refuse a target that
changed since and check that it writes exactly what the patch says.
`applied/<run-id>/record.json` is what `apply` changed, so `revert` can undo it: for each
changed file, the lines apply replaced (the patch's removed lines, which never hold a secret)
and where they go back, never a copy of the file; revert checks every hash, before and after.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import Field

from wizard_tui.domain.models import Task, TaskStatus
from wizard_tui.domain.patch import line_changes, split_lines
from wizard_tui.domain.record import Record

CHANGES_VERSION = 1
REVIEW_TYPE = "review"


class ChangedFile(Record):
    """One file of the patch."""

    path: str
    action: Literal["modify", "create"]
    before_sha256: str | None = None
    after_sha256: str
    mode: int = Field(description="Permission bits the file has (modify) or gets (create).")
    tasks: list[str] = Field(default_factory=list, description="The tasks whose proposals changed it.")


class ChangesManifest(Record):
    """`changes.json`: the patch's files and the hash of `changes.patch` as the run wrote it."""

    version: int = CHANGES_VERSION
    run_id: str
    created_at: datetime
    patch_sha256: str
    files: list[ChangedFile]
    withheld: list[str] = Field(
        default_factory=list, description="Files left out of the patch: it would have shown a secret value."
    )


class Splice(Record):
    """Undo one change: lines `at` .. `at + remove` of the changed file become `lines` (with their endings)."""

    at: int
    remove: int
    lines: list[str]


class AppliedFile(Record):
    """One file `apply` wrote: its original (None: apply created it) and what apply left there."""

    path: str
    before_sha256: str | None
    before_mode: int | None
    after_sha256: str
    after_mode: int
    restore: list[Splice] = Field(default_factory=list, description="What turns the applied file back (modify).")


class AppliedRecord(Record):
    """`applied/<run-id>/record.json`: enough to restore the project byte for byte."""

    version: int = CHANGES_VERSION
    run_id: str
    state: Literal["applying", "applied", "reverted"]
    applied_at: datetime
    reverted_at: datetime | None = None
    files: list[AppliedFile]
    created_dirs: list[str] = Field(default_factory=list, description="Folders apply made, outermost first.")


def review_passed(tasks: Iterable[Task]) -> bool:
    """`--apply` applies only when the run had a review task and every review task ended done."""
    reviews = [t for t in tasks if t.type == REVIEW_TYPE]
    return bool(reviews) and all(t.status == TaskStatus.DONE for t in reviews)


def undo_splices(before: bytes, after: bytes) -> list[Splice]:
    """What turns `after` back into `before`: the lines the change replaced, and where (UTF-8 text)."""
    a, b = split_lines(before), split_lines(after)
    return [
        Splice(at=j1, remove=j2 - j1, lines=[line.decode("utf-8") for line in a[i1:i2]])
        for i1, i2, j1, j2 in line_changes(a, b)
    ]


def apply_splices(data: bytes, splices: list[Splice]) -> bytes:
    """`data` with each splice made, last first so that earlier line numbers still hold."""
    lines = split_lines(data)
    for splice in sorted(splices, key=lambda s: s.at, reverse=True):
        if splice.at < 0 or splice.remove < 0 or splice.at + splice.remove > len(lines):
            raise ValueError("a splice points past the end of the file")
        lines[splice.at : splice.at + splice.remove] = [line.encode("utf-8") for line in splice.lines]
    return b"".join(lines)
