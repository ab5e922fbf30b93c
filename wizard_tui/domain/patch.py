"""One git-style unified diff of the proposed changes (`changes.patch`), with no secret in it.

The standard library's `difflib` computes which lines changed; the hunks around them are
built here, because their context must leave out every line that holds a secret value
(the caller says which lines do). What git adds around the hunks is a few header lines
(`diff --git`, `new file mode`, `index`), C-style quoting of unusual paths, a tab after
`---`/`+++` names that hold a space, and the `\\ No newline at end of file` marker. That is
small and fixed, so no diff library is needed beyond `difflib`; the tests check the output
with the real `git apply --check` on many shapes of file and every placement of a secret.

How a hunk keeps a secret line out of its context, and when it cannot (`git apply` rules,
checked against the real git in the tests):

- Context is the up to 3 unchanged lines on each side of a change, cut short at the first
  line that holds a secret. Two changes share a hunk only when every line between them is
  context, so a secret between them splits them into two hunks.
- Leading context may be empty: git finds a hunk by its line number and by its old lines
  (the removed lines and the trailing context).
- Trailing context may be empty only at the end of the file: git anchors a hunk without it
  to the end. A change followed by a secret line anywhere else cannot be written.
- A hunk whose old start reads as line 1 (or 0) must be at the start of the file: git
  anchors it there, so an insertion right after a secret first line, at the end of a
  one-line file, cannot be written.
- A changed line (removed or added) that holds a secret can never be written.

`SecretInPatchError` says which line and why, so the agent can place its change elsewhere.

Everything works on bytes split at `\\n` only, so CRLF files, a lone `\\r`, form feeds
and non-ASCII text come through exactly as they are on disk.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

NO_NEWLINE = b"\\ No newline at end of file\n"
NULL_SHA = "0" * 40
CONTEXT_LINES = 3
_ESCAPES = {0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r", 0x22: '"', 0x5C: "\\"}


SecretReason = Literal["changed", "anchor", "first-line"]
_WHY: dict[tuple[SecretReason, str], str] = {
    ("changed", "before"): "the change would remove or rewrite it",
    ("changed", "after"): "the change would write it",
    ("anchor", "after"): "it is the line right after the change, and a patch needs an unchanged line there to place it",
    ("first-line", "before"): "it is the first line, and an insertion right after it needs context",
}


class SecretInPatchError(ValueError):
    """The change cannot be written as a patch without showing a line that holds a secret.

    `line` is 1-based, in the file before the change (`side` "before") or after it ("after").
    `reason`: the line is itself changed, it is the line right after a change (the hunk's
    anchor), or it is the first line of a one-line file with an insertion after it.
    """

    def __init__(self, path: str, line: int, side: str, reason: SecretReason) -> None:
        self.path, self.line, self.side, self.reason = path, line, side, reason
        self.why = _WHY[(reason, side)]
        super().__init__(f"{path}: line {line} ({side} the change) holds a secret value: {self.why}")

    def refusal(self, text: str, secrets: Iterable[str]) -> str:
        """The sentence an agent gets for a proposal refused so: which line (its `secrets` hidden), and
        where to put its change instead. `text` is the file on the side the error names."""
        lines = split_lines(text.encode("utf-8"))
        shown = lines[self.line - 1].decode("utf-8").rstrip("\r\n") if 0 < self.line <= len(lines) else ""
        for value in sorted(secrets, key=len, reverse=True):
            shown = shown.replace(value, "[secret]")
        where = f"line {self.line} of {self.path}" + (
            " as it is now" if self.side == "before" else " as you propose it"
        )
        if self.reason == "anchor":
            return (
                f"Refused: {where} (`{shown}`) holds a secret value and would sit right after your change; a "
                "patch needs an unchanged line there, so it would show the secret. Place your change elsewhere: "
                "not directly above that line (directly below it is fine, or higher up with an unchanged "
                "line before it)."
            )
        if self.reason == "first-line":
            return (
                f"Refused: {where} (`{shown}`) holds a secret value and is the file's only line; a patch cannot "
                "add a line after it without showing it. Propose the new lines in another file."
            )
        if self.side == "after":
            return (
                f"Refused: {where} (`{shown}`) would put a secret value into the patch. Never write a secret into "
                "source (read it from an environment variable), and leave every line that holds one unchanged."
            )
        return (
            f"Refused: your change rewrites or removes {where} (`{shown}`), which holds a secret value, so the "
            f"patch would show it ({self.why}). Leave that line exactly as it is and change other lines."
        )


@dataclass(frozen=True)
class FileChange:
    """One changed file: its bytes before (None: a new file) and after, and its permission bits.

    `secret_before` and `secret_after` are the 0-based numbers of the lines (as `split_lines`
    cuts them) that hold a secret value; no such line is ever written into the patch.
    """

    path: str
    before: bytes | None
    after: bytes
    mode: int
    before_sha256: str | None = None
    secret_before: frozenset[int] = field(default_factory=frozenset)
    secret_after: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class _Change:
    """Lines `a[i1:i2]` of the old file became `b[j1:j2]` of the new one."""

    i1: int
    i2: int
    j1: int
    j2: int


@dataclass
class _Hunk:
    changes: list[_Change]
    lead: int = 0  # context lines before the first change
    trail: int = 0  # context lines after the last change


def git_blob_sha(data: bytes) -> str:
    """The id git gives a file's content, so `git apply -3` can find the original."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def git_mode(mode: int) -> str:
    """Git records a regular file as 100644, or 100755 when anyone may execute it."""
    return "100755" if mode & 0o111 else "100644"


def quote_path(prefix: str, path: str) -> bytes:
    """`prefix/path` as git writes it: C-quoted when it holds quotes, backslashes, controls or non-ASCII."""
    raw = f"{prefix}{path}".encode("utf-8", "surrogateescape")
    if not any(b < 0x20 or b >= 0x7F or b in (0x22, 0x5C) for b in raw):
        return raw
    out = []
    for b in raw:
        if b in _ESCAPES:
            out.append("\\" + _ESCAPES[b])
        elif b < 0x20 or b >= 0x7F:
            out.append(f"\\{b:03o}")
        else:
            out.append(chr(b))
    return ('"' + "".join(out) + '"').encode("ascii")


def split_lines(data: bytes) -> list[bytes]:
    """Lines at `\\n` only, each keeping its ending; a last line without one stays as it is."""
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _name_line(marker: bytes, name: bytes) -> bytes:
    # Git ends a bare name holding a space with a tab, so `patch` and `git apply` both read it whole.
    tab = b"\t" if b" " in name and not name.startswith(b'"') else b""
    return marker + b" " + name + tab + b"\n"


def line_changes(a: Sequence[bytes], b: Sequence[bytes]) -> list[tuple[int, int, int, int]]:
    """The changed runs `(i1, i2, j1, j2)`: `a[i1:i2]` became `b[j1:j2]`, in order (difflib's matching)."""
    matcher = difflib.SequenceMatcher(None, a, b)
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _hunks(change: FileChange, a: list[bytes], b: list[bytes], context: int) -> list[_Hunk]:
    """The hunks of the diff, with context that holds no secret; SecretInPatchError when none can be made."""
    changes = [_Change(*c) for c in line_changes(a, b)]

    def hidden_context(i: int, j: int) -> bool:  # an unchanged line: a[i] == b[j]
        return i in change.secret_before or j in change.secret_after

    for c in changes:
        for i in range(c.i1, c.i2):
            if i in change.secret_before:
                raise SecretInPatchError(change.path, i + 1, "before", "changed")
        for j in range(c.j1, c.j2):
            if j in change.secret_after:
                raise SecretInPatchError(change.path, j + 1, "after", "changed")

    hunks: list[_Hunk] = []
    for c in changes:
        if hunks:
            last = hunks[-1].changes[-1]
            gap = c.i1 - last.i2
            shift = last.j2 - last.i2
            if gap <= 2 * context and not any(hidden_context(i, i + shift) for i in range(last.i2, c.i1)):
                hunks[-1].changes.append(c)
                continue
        hunks.append(_Hunk([c]))

    for n, hunk in enumerate(hunks):
        first, last = hunk.changes[0], hunk.changes[-1]
        floor = hunks[n - 1].changes[-1].i2 if n else 0
        while (
            hunk.lead < context
            and first.i1 - hunk.lead - 1 >= floor
            and not hidden_context(first.i1 - hunk.lead - 1, first.j1 - hunk.lead - 1)
        ):
            hunk.lead += 1
        ceiling = hunks[n + 1].changes[0].i1 if n + 1 < len(hunks) else len(a)
        while (
            hunk.trail < context
            and last.i2 + hunk.trail < ceiling
            and not hidden_context(last.i2 + hunk.trail, last.j2 + hunk.trail)
        ):
            hunk.trail += 1
        if hunk.trail == 0 and last.i2 < len(a):
            raise SecretInPatchError(change.path, last.j2 + 1, "after", "anchor")
        old_count = hunk.lead + (last.i2 - first.i1) + hunk.trail
        old_start = first.i1 - hunk.lead
        if old_start > 0 and old_count == 0 and old_start == 1:
            raise SecretInPatchError(change.path, 1, "before", "first-line")
    return hunks


def _range(start: int, count: int) -> bytes:
    """A hunk header's range, as git writes it (`5` for one line, `4,0` for none after line 4)."""
    if count == 1:
        return b"%d" % (start + 1)
    return b"%d,%d" % (start + 1 if count else start, count)


def _hunk_lines(hunk: _Hunk, a: list[bytes], b: list[bytes]) -> Iterable[bytes]:
    first, last = hunk.changes[0], hunk.changes[-1]
    i_start, j_start = first.i1 - hunk.lead, first.j1 - hunk.lead
    i_end, j_end = last.i2 + hunk.trail, last.j2 + hunk.trail
    yield b"@@ -" + _range(i_start, i_end - i_start) + b" +" + _range(j_start, j_end - j_start) + b" @@\n"
    i = i_start
    for c in hunk.changes:
        for line in a[i : c.i1]:
            yield b" " + line
        for line in a[c.i1 : c.i2]:
            yield b"-" + line
        for line in b[c.j1 : c.j2]:
            yield b"+" + line
        i = c.i2
    for line in a[i:i_end]:
        yield b" " + line


def file_diff(change: FileChange, *, context: int = CONTEXT_LINES) -> bytes:
    """The git diff of one file (empty when nothing changed); SecretInPatchError when it would show a secret."""
    if change.before == change.after:
        return b""
    a_name, b_name = quote_path("a/", change.path), quote_path("b/", change.path)
    out = [b"diff --git " + a_name + b" " + b_name + b"\n"]
    after_sha = git_blob_sha(change.after)
    a, b = split_lines(change.before or b""), split_lines(change.after)
    hunks = _hunks(change, a, b, context)
    if change.before is None:
        out.append(b"new file mode 100644\n")
        out.append(f"index {NULL_SHA}..{after_sha}\n".encode())
        if not change.after:
            return b"".join(out)  # an empty new file has a header and no hunk
        out.append(_name_line(b"---", b"/dev/null"))
    else:
        out.append(f"index {git_blob_sha(change.before)}..{after_sha} {git_mode(change.mode)}\n".encode())
        out.append(_name_line(b"---", a_name))
    out.append(_name_line(b"+++", b_name))
    for hunk in hunks:
        for line in _hunk_lines(hunk, a, b):
            out.append(line)
            if not line.endswith(b"\n"):
                out.append(b"\n" + NO_NEWLINE)
    return b"".join(out)


def check_secrets(change: FileChange, *, context: int = CONTEXT_LINES) -> None:
    """SecretInPatchError when the change's diff would have to show a secret line (`file_diff` without the text).

    A file with no secret line on either side always fits, and costs no diff.
    """
    if change.before != change.after and (change.secret_before or change.secret_after):
        _hunks(change, split_lines(change.before or b""), split_lines(change.after), context)


def unified_patch(changes: Iterable[FileChange], *, context: int = CONTEXT_LINES) -> bytes:
    """One patch of every change, in path order, that `git apply` accepts on the untouched project."""
    return b"".join(file_diff(c, context=context) for c in sorted(changes, key=lambda c: c.path))
