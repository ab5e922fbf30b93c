"""Proposed changes to the user's project: the records, and how a file's proposed state is built.

Task agents never write the project; they propose. A file's proposed state is its
original text (captured at the first proposal) followed by its proposals in order:
first the committed ones (tasks that finished `done`, in the order they finished), then
the proposals still staged by the attempt that is looking. Everything here is pure.

Edits match exactly, once. Line endings are the one leniency: `read_file` shows lines
without their `\\r`, so `old` written with `\\n` matches a CRLF file, and `new` takes the
file's own line ending, so the rest of the file is left byte for byte.

No secret value is stored: where an edit keeps one in place (the model copied its marker),
the record holds a `SecretRef`, where that value sits in the file's original, and the text
is rebuilt from the original (re-read from the project, checked against its hash) when a
proposed state is needed.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from wizard_tui.domain.record import Record

PROPOSALS_VERSION = 2
# How many places an ambiguous `old` is counted and named, so a pathological one stays cheap.
MAX_COUNTED_MATCHES = 50
MAX_NAMED_LINES = 5


class EditError(Exception):
    """An edit that cannot be made; the message tells an agent how to fix its call."""


class ProposalState(StrEnum):
    """A proposal is staged by a running attempt, committed when its task ends done, else discarded."""

    STAGED = "staged"
    COMMITTED = "committed"
    DISCARDED = "discarded"


class SecretRef(Record):
    """A secret value an edit keeps, recorded as where it sits in the file's original, never as itself."""

    line: int = Field(description="1-based line of the original that holds the value.")
    column: int = Field(description="0-based character offset of the value in that line.")
    length: int = Field(description="The value's length in characters.")


# An edit's text as recorded: plain, or pieces of text and the secret values between them.
Sealed = str | list[str | SecretRef]


class Proposal(Record):
    """One `propose_edit` or `propose_file` call, with the task attempt that made it."""

    seq: int
    task_id: str
    attempt: int
    kind: Literal["edit", "file"]
    path: str
    old: Sealed | None = None
    new: Sealed | None = None
    content: str | None = None
    state: ProposalState = ProposalState.STAGED
    commit_order: int | None = None
    discarded_because: str | None = None
    created_at: datetime


class BaseFile(Record):
    """A proposed file as it was before the run touched it: its hash and mode, or absent (new)."""

    path: str
    sha256: str | None = Field(default=None, description="None: the file did not exist.")
    mode: int | None = Field(default=None, description="Permission bits of an existing file.")


class ProposalsFile(Record):
    """`proposals.json`: every proposal of the run and the originals they start from."""

    version: int = PROPOSALS_VERSION
    run_id: str
    bases: dict[str, BaseFile] = Field(default_factory=dict)
    proposals: list[Proposal] = Field(default_factory=list)


@dataclass(frozen=True)
class EditOutcome:
    """The text after an edit and the 1-based lines that now hold the new text."""

    text: str
    first_line: int
    last_line: int


def _without_cr(text: str) -> tuple[str, list[int]]:
    """`text` with CRLF as LF, and the LF-text indices of the newlines that were CRLF."""
    if "\r\n" not in text:
        return text, []
    was_crlf: list[int] = []
    removed = 0
    at = text.find("\r\n")
    while at >= 0:
        # The `\r` at `at` is dropped, and so were the `removed` ones before it.
        was_crlf.append(at - removed)
        removed += 1
        at = text.find("\r\n", at + 2)
    return text.replace("\r\n", "\n"), was_crlf


def newline_of(text: str) -> str:
    """The file's own line ending: CRLF when most of its lines end so, else LF."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def apply_edit(text: str, old: str, new: str, *, path: str) -> EditOutcome:
    """Replace the one occurrence of `old` in `text` by `new`, or raise EditError saying why not."""
    old_lf = old.replace("\r\n", "\n")
    new_lf = new.replace("\r\n", "\n")
    if not old_lf:
        raise EditError("`old` is empty; copy the lines you want to change (or next to where to add) into `old`.")
    if old_lf == new_lf:
        raise EditError("`old` and `new` are the same, so nothing would change; put the changed text in `new`.")
    lf, was_crlf = _without_cr(text)
    first = lf.find(old_lf)
    if first < 0:
        hint = ""
        stripped = old_lf.strip()
        if stripped and stripped != old_lf and lf.count(stripped) == 1:
            hint = " It does occur once without its leading or trailing blank space and newlines."
        raise EditError(
            f"`old` was not found in {path} (in its proposed state, including earlier proposals).{hint} "
            "Read the file again with read_file and copy `old` exactly, indentation included."
        )
    found = [first]
    while len(found) < MAX_COUNTED_MATCHES:
        # Overlapping occurrences count too: `aa` occurs twice in `aaa`.
        at = lf.find(old_lf, found[-1] + 1)
        if at < 0:
            break
        found.append(at)
    if len(found) > 1:
        many = f"{len(found)}{' or more' if len(found) >= MAX_COUNTED_MATCHES else ''}"
        lines = ", ".join(str(_line_of(lf, at)) for at in found[:MAX_NAMED_LINES])
        lines += ", ..." if len(found) > MAX_NAMED_LINES else ""
        raise EditError(
            f"`old` matches {many} times in {path} (at lines {lines}); "
            "include more surrounding lines in `old` so that it matches exactly once."
        )
    end_lf = first + len(old_lf)
    start = first + bisect.bisect_left(was_crlf, first)
    end = end_lf + bisect.bisect_left(was_crlf, end_lf)
    newline = newline_of(text)
    replacement = new_lf.replace("\n", newline) if newline != "\n" else new_lf
    result = text[:start] + replacement + text[end:]
    first_line = _line_of(result, start)
    body = replacement[: -len(newline)] if replacement.endswith(newline) else replacement
    last_line = first_line + body.count("\n")
    return EditOutcome(result, first_line, last_line)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    at = text.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def seal(text: str, values: Iterable[str], original: str | None, *, path: str) -> Sealed:
    """`text` with every occurrence of a secret value replaced by where that value sits in `original`.

    EditError when a value is not in the original: a value an edit keeps must be one it found there.
    """
    spans: list[tuple[int, int, str]] = []
    for value in sorted({v for v in values if v}, key=len, reverse=True):
        at = text.find(value)
        while at >= 0:
            end = at + len(value)
            if not any(s < end and at < e for s, e, _ in spans):  # a longer value already covers it
                spans.append((at, end, value))
            at = text.find(value, end)
    if not spans:
        return text
    starts = _line_starts(original or "")
    pieces: list[str | SecretRef] = []
    done = 0
    for start, end, value in sorted(spans):
        found = original.find(value) if original is not None else -1
        if found < 0:
            raise EditError(
                f"Your edit of {path} carries a secret value that is not in the file's original; "
                "never write a secret into source. Keep secret lines exactly as they are."
            )
        line = bisect.bisect_right(starts, found) - 1
        if start > done:
            pieces.append(text[done:start])
        pieces.append(SecretRef(line=line + 1, column=found - starts[line], length=len(value)))
        done = end
    if done < len(text):
        pieces.append(text[done:])
    return pieces


def unseal(sealed: Sealed | None, original: str | None, *, path: str) -> str:
    """The real text of a recorded edit, each secret value read back from the file's original."""
    if sealed is None or isinstance(sealed, str):
        return sealed or ""
    starts = _line_starts(original or "")
    out = []
    for piece in sealed:
        if isinstance(piece, str):
            out.append(piece)
            continue
        if original is None or not 0 < piece.line <= len(starts):
            raise EditError(f"a recorded edit of {path} points past the end of its original.")
        at = starts[piece.line - 1] + piece.column
        out.append(original[at : at + piece.length])
    return "".join(out)


def replay(base: str | None, proposals: Iterable[Proposal]) -> str | None:
    """The text after `proposals` in order, starting from `base` (None: the file does not exist)."""
    text = base
    for p in proposals:
        if p.kind == "file":
            if text is not None:
                raise EditError(f"{p.path} already exists, so it cannot be proposed as a new file.")
            text = p.content or ""
        else:
            if text is None:
                raise EditError(f"{p.path} does not exist; propose it as a new file with propose_file.")
            old, new = unseal(p.old, base, path=p.path), unseal(p.new, base, path=p.path)
            text = apply_edit(text, old, new, path=p.path).text
    return text


def visible(proposals: Iterable[Proposal], path: str, viewer: tuple[str, int] | None) -> list[Proposal]:
    """The proposals of `path` that `viewer` (a task id and attempt, or None) builds on, in order."""
    committed = [p for p in proposals if p.path == path and p.state == ProposalState.COMMITTED]
    committed.sort(key=lambda p: (p.commit_order or 0, p.seq))
    if viewer is None:
        return committed
    own = [
        p for p in proposals if p.path == path and p.state == ProposalState.STAGED and (p.task_id, p.attempt) == viewer
    ]
    return committed + own
