"""changes.patch: git-style diffs that the real `git apply` accepts and applies to the exact bytes, on many shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.gitapply import GIT, git_applies
from wizard_tui.domain.patch import FileChange, quote_path, split_lines, unified_patch

pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")


def modify(path: str, before: bytes, after: bytes, mode: int = 0o644) -> FileChange:
    return FileChange(path, before, after, mode)


def create(path: str, after: bytes) -> FileChange:
    return FileChange(path, None, after, 0o644)


SHAPES: dict[str, list[FileChange]] = {
    "lf": [
        modify("a.py", b"import os\n\n\ndef f():\n    pass\n", b"import os\nimport posthog\n\n\ndef f():\n    pass\n")
    ],
    "crlf": [modify("win.ts", b"one\r\ntwo\r\nthree\r\n", b"one\r\n2a\r\n2b\r\nthree\r\n")],
    "mixed endings": [modify("m.txt", b"a\r\nb\nc\r\nd\n", b"a\r\nB\nc\r\nd\n")],
    "lone cr and form feed": [modify("cr.txt", b"a\rb\nc\x0cd\n", b"a\rb\nC\x0cd\n")],
    "no newline before and after": [modify("n.txt", b"x\ny", b"x\nz")],
    "newline added at the end": [modify("n.txt", b"x\ny", b"x\ny\n")],
    "newline dropped at the end": [modify("n.txt", b"x\ny\n", b"x\ny")],
    "everything removed": [modify("gone.txt", b"a\nb\n", b"")],
    "empty file filled": [modify("e.txt", b"", b"now\n")],
    "far apart hunks": [
        modify(
            "long.txt",
            b"".join(b"line %d\n" % n for n in range(60)),
            b"".join(b"LINE %d\n" % n if n in (2, 50) else b"line %d\n" % n for n in range(60)),
        )
    ],
    "non-ascii content": [modify("u.txt", "café\n".encode(), "café crème 日本語 🎉\n".encode())],
    "bom": [modify("bom.txt", b"\xef\xbb\xbfhello\n", b"\xef\xbb\xbfhello\nworld\n")],
    "new file": [create("src/new/deep/posthog.ts", b"export const ph = 1\n")],
    "new empty file": [create("pkg/__init__.py", b"")],
    "new file without newline": [create("x.txt", b"no newline")],
    "path with spaces": [modify("my app/page one.tsx", b"a\n", b"b\n"), create("my app/new file.ts", b"c\n")],
    "non-ascii path": [modify("dossier/été.py", b"a\n", b"b\n"), create("新しい/ファイル.ts", b"c\n")],
    "quotes and backslashes": [modify('we"ird\\name.txt', b"a\n", b"b\n")],
    "tab in name": [modify("tab\there.txt", b"a\n", b"b\n")],
    "executable": [modify("run.sh", b"#!/bin/sh\necho hi\n", b"#!/bin/sh\necho hello\n", mode=0o755)],
    "many files at once": [modify(f"f{n}.txt", b"%d\n" % n, b"%d!\n" % n) for n in range(12)]
    + [create(f"new/{n}.txt", b"%d\n" % n) for n in range(5)],
}


@pytest.mark.parametrize("shape", SHAPES)
def test_git_applies_the_patch_to_the_exact_bytes(tmp_path: Path, shape: str) -> None:
    git_applies(tmp_path / "repo", SHAPES[shape])


def test_header_shapes_follow_git() -> None:
    patch = unified_patch([create("a b/c.ts", b"x\n"), modify("z.txt", b"1\n", b"2")])
    lines = patch.split(b"\n")
    assert lines[:5] == [
        b"diff --git a/a b/c.ts b/a b/c.ts",
        b"new file mode 100644",
        b"index 0000000000000000000000000000000000000000..587be6b4c3f93f93c489c0111bba5596147a26cb",
        b"--- /dev/null",
        b"+++ b/a b/c.ts\t",
    ]
    assert patch.endswith(b"-1\n+2\n\\ No newline at end of file\n")
    assert quote_path("a/", "été.txt") == b'"a/\\303\\251t\\303\\251.txt"'
    assert quote_path("a/", "plain name.txt") == b"a/plain name.txt"
    assert unified_patch([modify("same.txt", b"x\n", b"x\n")]) == b""


def test_lines_split_at_newline_only() -> None:
    assert split_lines(b"a\r\nb\x0cc\rd" + "\u2028".encode()) == [
        b"a\r\n",
        b"b\x0cc\rd\xe2\x80\xa8",
    ]
    assert split_lines(b"") == [] and split_lines(b"\n") == [b"\n"]


# Lines from an alphabet that reaches every awkward case: CRLF, lone CR, blanks, repeats, non-ASCII.
LINE = st.sampled_from(["", "a", "b", "same", "same", "\tindent", "é日", "x\r", "trailing "]).map(str.encode)
ENDING = st.sampled_from([b"\n", b"\n", b"\r\n"])


@st.composite
def text_files(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.tuples(LINE, ENDING), max_size=30))
    data = b"".join(line + end for line, end in lines)
    if draw(st.booleans()) and data:
        data = data.rstrip(b"\n")  # no newline at the end
    return data


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=text_files(), after=text_files(), new=text_files())
def test_any_pair_of_texts_round_trips_through_git(tmp_path: Path, before: bytes, after: bytes, new: bytes) -> None:
    changes = [modify("dir/file.txt", before, after)]
    if new:
        changes.append(create("dir/sub/new.txt", new))
    changes = [c for c in changes if c.before != c.after]
    if changes:
        git_applies(tmp_path / "repo", changes)
