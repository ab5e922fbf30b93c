"""No secret line in a patch: context shrinks around secrets, the real `git apply` still places every hunk.

Secrets are planted at every distance from a change (0 to 4 lines, above and below, at the
start, middle and end of a file) for insertions, rewrites and removals. Each patch is either
written without the secret and applied by git to the exact bytes, or refused, and a refusal
is only allowed where no patch can exist (shown with git itself at the end).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.gitapply import GIT, fresh_repo, git_applies, git_apply
from wizard_tui.domain.patch import FileChange, SecretInPatchError, check_secrets, file_diff, split_lines

pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

SIZE = 12


def _secret(n: int) -> bytes:
    return b'TOKEN_%d = "sk_live_PLANTED%04dzq8Xw6Ve4Ub2Tc0"\n' % (n, n)


def _change(before: list[bytes], after: list[bytes], secrets_before: set[int], secrets_after: set[int]) -> FileChange:
    return FileChange(
        "app/settings.py", b"".join(before), b"".join(after), 0o644, None, frozenset(secrets_before),
        frozenset(secrets_after),
    )  # fmt: skip


def _must_refuse(change: FileChange) -> bool:
    """When no patch can leave the secrets out, stated from the diff alone (the rules git imposes)."""
    a, b = split_lines(change.before or b""), split_lines(change.after)
    ops = [op for op in difflib.SequenceMatcher(None, a, b).get_opcodes() if op[0] != "equal"]
    for _tag, i1, i2, j1, j2 in ops:
        if set(range(i1, i2)) & change.secret_before or set(range(j1, j2)) & change.secret_after:
            return True  # a removed or added line is the secret itself
        if i2 < len(a) and (i2 in change.secret_before or j2 in change.secret_after):
            return True  # the line right after the change must be shown to place the hunk
        if i1 == i2 == 1 and len(a) == 1 and 0 in change.secret_before:
            return True  # an insertion after a secret first line reads as one at the start
    return False


def _check(tmp_path: Path, change: FileChange) -> str:
    """Refused exactly when it must be; otherwise applied by git, with no secret line in the patch."""
    try:
        check_secrets(change)  # the proposal store's check: it must agree with the writer
        checked = True
    except SecretInPatchError:
        checked = False
    try:
        patch = file_diff(change)
    except SecretInPatchError:
        assert _must_refuse(change), "refused a change that a patch could carry"
        assert not checked
        return "refused"
    assert checked
    assert not _must_refuse(change), "wrote a patch where the rules say none fits"
    for n in change.secret_before:
        assert split_lines(change.before or b"")[n].rstrip(b"\n") not in patch, patch
    for n in change.secret_after:
        assert split_lines(change.after)[n].rstrip(b"\n") not in patch, patch
    git_applies(tmp_path / "repo", [change], patch)
    return "applied"


@dataclass(frozen=True)
class Case:
    kind: str  # insert (a line before `at`), rewrite (line `at`) or remove (line `at`)
    at: int
    side: str  # the secret sits above or below the change
    distance: int  # unchanged lines between the change and the secret


def _case_change(case: Case) -> FileChange | None:
    lines = [b"line %d\n" % n for n in range(SIZE)]
    first_after = case.at if case.kind == "insert" else case.at + 1  # the first unchanged line below
    last_before = case.at - 1
    secret = last_before - case.distance if case.side == "above" else first_after + case.distance
    if not 0 <= secret < SIZE or (case.kind != "insert" and case.at >= SIZE):
        return None
    lines[secret] = _secret(secret)
    after = lines[:]
    if case.kind == "insert":
        after.insert(case.at, b"import posthog\n")
    elif case.kind == "rewrite":
        after[case.at] = b"posthog.disabled = False\n"
    else:
        del after[case.at]
    below = secret > case.at or (secret == case.at and case.kind == "insert")
    moved = secret + (len(after) - len(lines) if below else 0)  # where the secret line sits after the change
    return _change(lines, after, {secret}, {moved})


CASES = [
    Case(kind, at, side, distance)
    for kind in ("insert", "rewrite", "remove")
    for at in (0, 1, 5, SIZE - 1, SIZE)
    for side in ("above", "below")
    for distance in range(5)
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.kind}@{c.at}-{c.side}-{c.distance}")
def test_a_secret_at_any_distance_is_left_out_or_the_change_refused(tmp_path: Path, case: Case) -> None:
    change = _case_change(case)
    if change is None:
        return  # the secret would sit outside the file: no such placement
    outcome = _check(tmp_path, change)
    # The one refusal a single change meets: the secret directly below it (the hunk's anchor).
    expected = "refused" if case.side == "below" and case.distance == 0 else "applied"
    assert outcome == expected


def test_the_placements_cover_every_distance_on_both_sides_and_the_file_edges() -> None:
    made = [c for c in CASES if _case_change(c) is not None]
    for side in ("above", "below"):
        assert {c.distance for c in made if c.side == side} == set(range(5))
    assert {c.at for c in made} >= {0, SIZE - 1, SIZE}


@pytest.mark.parametrize(
    ("before", "after", "secrets", "outcome"),
    [
        # The secret is the first line and the change right below it: no leading context needed.
        ([_secret(0), b"a\n", b"b\n"], [_secret(0), b"NEW\n", b"a\n", b"b\n"], {0}, "applied"),
        # The secret is the last line and the change appends below it: no context at all, at the end.
        ([b"a\n", b"b\n", _secret(2)], [b"a\n", b"b\n", _secret(2), b"NEW\n"], {2}, "applied"),
        # A one-line file that is a secret: an insertion after it would read as one at the start.
        ([_secret(0)], [_secret(0), b"NEW\n"], {0}, "refused"),
        # A last line without a newline gains one when something is appended: the line itself changes.
        ([b"a\n", _secret(1).rstrip(b"\n")], [b"a\n", _secret(1), b"NEW"], {1}, "refused"),
        # Two changes with a secret between them become two hunks, each anchored on its own side.
        (
            [b"a\n", b"b\n", b"c\n", _secret(3), b"d\n", b"e\n"],
            [b"a\n", b"B\n", b"c\n", _secret(3), b"d\n", b"E\n"],
            {3},
            "applied",
        ),
        # ...unless the secret is the line right after the first change.
        ([b"a\n", b"b\n", _secret(2), b"c\n"], [b"a\n", b"B\n", _secret(2), b"C\n"], {2}, "refused"),
        # Every line a secret but the one replaced at the end of the file.
        ([_secret(0), _secret(1), b"x\n"], [_secret(0), _secret(1), b"y\n"], {0, 1}, "applied"),
        # The change rewrites the secret line itself.
        ([b"a\n", _secret(1), b"b\n"], [b"a\n", b"SECRET = env\n", b"b\n"], {1}, "refused"),
        # CRLF lines and a secret at distance 1 below.
        (
            [b"a\r\n", b"b\r\n", b"c\r\n", _secret(3).replace(b"\n", b"\r\n"), b"d\r\n"],
            [b"a\r\n", b"NEW\r\n", b"b\r\n", b"c\r\n", _secret(3).replace(b"\n", b"\r\n"), b"d\r\n"],
            {3},
            "applied",
        ),
    ],
)
def test_edge_shapes(tmp_path: Path, before: list[bytes], after: list[bytes], secrets: set[int], outcome: str) -> None:
    after_secrets = {after.index(before[n]) for n in secrets if before[n] in after}
    assert _check(tmp_path, _change(before, after, secrets, after_secrets)) == outcome


def test_new_files_and_added_lines_never_carry_a_secret() -> None:
    new_file = FileChange("posthog.py", None, b"import os\n" + _secret(1), 0o644, None, frozenset(), frozenset({1}))
    with pytest.raises(SecretInPatchError) as caught:
        file_diff(new_file)
    assert caught.value.side == "after" and caught.value.line == 2


# Lines drawn from a small alphabet (repeats make difflib's alignment interesting); secrets are unique.
_PLAIN = st.sampled_from([b"a\n", b"b\n", b"\n", b"}\n", b"x = 1\n", b"same\n", b"same\n", b"c\r\n"])


@st.composite
def _files_with_secrets(draw: st.DrawFn) -> FileChange:
    before = draw(st.lists(_PLAIN, min_size=0, max_size=16))
    for n in sorted(draw(st.sets(st.integers(0, 16), min_size=1, max_size=2))):
        before.insert(min(n, len(before)), _secret(n))
    after = before[:]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["insert", "rewrite", "remove"]))
        at = draw(st.integers(0, len(after)))
        if kind == "insert":
            after.insert(at, draw(_PLAIN).replace(b"\n", b" # new\n"))
        elif at < len(after):
            if kind == "rewrite":
                after[at] = b"rewritten %d\n" % at
            else:
                del after[at]
    if draw(st.integers(0, 4)) == 0 and after and after[-1].endswith(b"\n"):
        after[-1] = after[-1].rstrip(b"\n")
    secret_lines = {line for line in before if line.startswith(b"TOKEN_")}
    return _change(
        before,
        after,
        {n for n, line in enumerate(before) if line in secret_lines},
        {n for n, line in enumerate(after) if line in secret_lines},
    )


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(change=_files_with_secrets())
def test_any_edit_around_any_secrets_is_written_safely_or_refused_only_when_it_must(
    tmp_path: Path, change: FileChange
) -> None:
    if change.before != change.after:
        _check(tmp_path, change)


# -- the refusals are forced: git itself rejects the patches that would leave the secret out ------


def test_git_rejects_a_hunk_with_no_line_after_it_in_the_middle_of_a_file(tmp_path: Path) -> None:
    """Insert above a secret line with no trailing context: git anchors such a hunk to the file's end."""
    before = b"a\nb\n" + _secret(2) + b"c\n"
    fresh_repo(tmp_path / "repo", [FileChange("f.py", before, before, 0o644)])
    patch = b"diff --git a/f.py b/f.py\n--- a/f.py\n+++ b/f.py\n@@ -2 +2,2 @@\n b\n+NEW\n"
    assert git_apply(tmp_path / "repo", patch, check_only=True).returncode != 0


def test_git_reads_an_insertion_after_line_one_without_context_as_one_at_the_start(tmp_path: Path) -> None:
    before = _secret(0)
    fresh_repo(tmp_path / "repo", [FileChange("f.py", before, before, 0o644)])
    patch = b"diff --git a/f.py b/f.py\n--- a/f.py\n+++ b/f.py\n@@ -1,0 +2 @@\n+NEW\n"
    assert git_apply(tmp_path / "repo", patch, check_only=True).returncode != 0
