"""The records of a run's outcome on the project: what it proposes, and what `apply` did.

`changes.json` (beside `changes.patch`) lists every changed file with the hash of the
original the run saw and of the proposed content (kept in `blobs/<sha256>`), so `apply`
can refuse a target that changed since and write exactly what the patch says.
`applied/<run-id>/record.json` is what `apply` changed, so `revert` can undo it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from wizard_tui.domain.models import Task, TaskStatus

CHANGES_VERSION = 1
REVIEW_TYPE = "review"


class ChangedFile(BaseModel):
    """One file of the patch."""

    path: str
    action: Literal["modify", "create"]
    before_sha256: str | None = None
    after_sha256: str
    mode: int = Field(description="Permission bits the file has (modify) or gets (create).")
    tasks: list[str] = Field(default_factory=list, description="The tasks whose proposals changed it.")


class ChangesManifest(BaseModel):
    """`changes.json`: the patch's files and the hash of `changes.patch` as the run wrote it."""

    version: int = CHANGES_VERSION
    run_id: str
    created_at: datetime
    patch_sha256: str
    files: list[ChangedFile]


class AppliedFile(BaseModel):
    """One file `apply` wrote: its original (None: apply created it) and what apply left there."""

    path: str
    before_sha256: str | None
    before_mode: int | None
    after_sha256: str
    after_mode: int


class AppliedRecord(BaseModel):
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
