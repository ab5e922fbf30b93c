"""One git-style unified diff of the proposed changes (`changes.patch`).

The standard library's `difflib` computes the hunks; what git adds around them is a few
header lines (`diff --git`, `new file mode`, `index`), C-style quoting of unusual paths,
a tab after `---`/`+++` names that hold a space, and the `\\ No newline at end of file`
marker. That is small and fixed, so no diff library is needed beyond `difflib`; the tests
check the output with the real `git apply --check` on many shapes of file.

Everything works on bytes split at `\\n` only, so CRLF files, a lone `\\r`, form feeds
and non-ASCII text come through exactly as they are on disk.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

NO_NEWLINE = b"\\ No newline at end of file\n"
NULL_SHA = "0" * 40
CONTEXT_LINES = 3
_ESCAPES = {0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r", 0x22: '"', 0x5C: "\\"}


@dataclass(frozen=True)
class FileChange:
    """One changed file: its bytes before (None: a new file) and after, and its permission bits."""

    path: str
    before: bytes | None
    after: bytes
    mode: int
    before_sha256: str | None = None


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


def file_diff(change: FileChange, *, context: int = CONTEXT_LINES) -> bytes:
    """The git diff of one file (empty when nothing changed)."""
    if change.before == change.after:
        return b""
    a_name, b_name = quote_path("a/", change.path), quote_path("b/", change.path)
    out = [b"diff --git " + a_name + b" " + b_name + b"\n"]
    after_sha = git_blob_sha(change.after)
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
    hunks = difflib.diff_bytes(
        difflib.unified_diff, split_lines(change.before or b""), split_lines(change.after), n=context, lineterm=b"\n"
    )
    for n, line in enumerate(hunks):
        if n < 2:  # difflib's own `---`/`+++` lines; ours are above
            continue
        out.append(line)
        if not line.endswith(b"\n"):
            out.append(b"\n" + NO_NEWLINE)
    return b"".join(out)


def unified_patch(changes: Iterable[FileChange], *, context: int = CONTEXT_LINES) -> bytes:
    """One patch of every change, in path order, that `git apply` accepts on the untouched project."""
    return b"".join(file_diff(c, context=context) for c in sorted(changes, key=lambda c: c.path))
