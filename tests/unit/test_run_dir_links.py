"""Class 1 of the hostile-input issue: nothing is ever written through a link in the run dir.

A project may ship `.posthog-wizard/` with links planted anywhere in it. Every placement
is tried, as a table and then as random combinations: the run refuses with exit 2 and one
sentence, and nothing outside the project changes. The no-follow writer is also tried on
its own with a link at every level of the path.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.samples import copy_sample
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain import nofollow
from wizard_tui.domain.persistence import RunLock, RunPaths
from wizard_tui.domain.writers import JsonlAppender, atomic_write_bytes
from wizard_tui.engine.run import Run, RunConfig, RunResult

# Every name the run creates, opens for writing, moves or renames under the run dir, and the
# folders inside previous/ and orphans/ that it creates; a link may be planted at any of them.
PLACEMENTS = [
    "",
    "queue.json",
    "audit.jsonl",
    "telemetry.jsonl",
    "install-intent.json",
    ".gitignore",
    ".lock",
    "handoffs",
    "markers",
    "previous",
    "orphans",
    "handoffs/t-0001.json",
    "markers/t-0001.txt",
    "previous/r-old",
    "previous/r-old/queue.json",
    "previous/r-old/markers",
    "orphans/markers",
    "orphans/handoffs",
    "orphans/markers/t-9.txt",
    ".queue.json.0123456789ab.tmp",
    "handoffs/.t-1.json.0123456789ab.tmp",
]
KINDS = ["dir", "file", "dangling", "self", "hard"]


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    if not outside.exists():
        (outside / "sub").mkdir(parents=True)
        (outside / "victim.txt").write_text("do not touch\n")
        (outside / "sub" / "keep.json").write_text("{}\n")
    return outside


def _snapshot(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        out[path.relative_to(folder).as_posix()] = (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else oct(info.st_mode)
        )
    return out


def plant(project: Path, outside: Path, where: str, kind: str) -> None:
    """A link of `kind` at `.posthog-wizard/<where>`, its parents made as real folders."""
    target = project / ".posthog-wizard" / where if where else project / ".posthog-wizard"
    for parent in reversed(target.relative_to(project).parents[:-1]):
        folder = project / parent
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            folder.unlink()
        folder.mkdir(exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()
    if kind == "hard":
        if where in ("", "handoffs", "markers", "previous", "orphans", "orphans/markers", "orphans/handoffs") or (
            "." not in where.rsplit("/", 1)[-1]
        ):
            kind = "dir"  # a folder cannot be hard-linked
        else:
            os.link(outside / "victim.txt", target)
            return
    if kind == "dir":
        target.symlink_to(outside / "sub", target_is_directory=True)
    elif kind == "file":
        target.symlink_to(outside / "victim.txt")
    elif kind == "dangling":
        target.symlink_to(outside / "not-yet-there")
    else:
        target.symlink_to(target.name)


async def _run(project: Path, **config: object) -> RunResult:
    return await Run(RunConfig(install_dir=project, **config), OfflineAgent()).execute()  # type: ignore[arg-type]


@pytest.mark.parametrize("where", PLACEMENTS)
@pytest.mark.parametrize("kind", ["dir", "file", "hard"])
async def test_a_link_anywhere_in_the_run_dir_is_refused(tmp_path: Path, where: str, kind: str) -> None:
    project = copy_sample("express-server", tmp_path)
    outside = _outside(tmp_path)
    plant(project, outside, where, kind)
    before = _snapshot(outside)
    for config in ({"fresh": True}, {"resume": True}, {}):
        result = await _run(project, **config)
        assert result.exit_code == 2, (config, result.message)
        assert "link" in result.message and "\n" not in result.message
    assert _snapshot(outside) == before
    assert not (outside / "not-yet-there").exists()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    links=st.lists(st.tuples(st.sampled_from(PLACEMENTS[1:]), st.sampled_from(KINDS)), min_size=1, max_size=4),
    fresh=st.booleans(),
)
def test_any_set_of_planted_links_writes_nothing_outside(
    tmp_path_factory: pytest.TempPathFactory, links: list[tuple[str, str]], fresh: bool
) -> None:
    base = tmp_path_factory.mktemp("links")
    project = copy_sample("express-server", base)
    outside = _outside(base)
    for where, kind in links:
        plant(project, outside, where, kind)
    before = _snapshot(outside)
    result = asyncio.run(_run(project, fresh=fresh))
    assert result.exit_code == 2 and "\n" not in result.message
    assert _snapshot(outside) == before
    assert not (outside / "not-yet-there").exists()


def test_a_previous_runs_links_are_refused_when_a_new_run_would_move_files_beside_them(tmp_path: Path) -> None:
    project = copy_sample("express-server", tmp_path)
    outside = _outside(tmp_path)
    assert asyncio.run(_run(project)).exit_code == 0
    plant(project, outside, "previous/r-old/handoffs", "dir")
    before = _snapshot(outside)
    result = asyncio.run(_run(project))
    assert result.exit_code == 2 and "previous/r-old/handoffs" in result.message
    assert _snapshot(outside) == before


# -- the writer on its own: a link at every level of the path -----------------------------


def _levels(root: Path) -> list[Path]:
    return [root / "a", root / "a" / "b", root / "a" / "b" / "c"]


@pytest.mark.parametrize("level", range(4))
def test_the_atomic_writer_never_follows_a_link_on_the_way(tmp_path: Path, level: int) -> None:
    root = tmp_path / "root"
    outside = _outside(tmp_path)
    target = root / "a" / "b" / "c" / "file.json"
    target.parent.mkdir(parents=True)
    if level < 3:
        link = _levels(root)[level]
        shutil.rmtree(link)
        link.symlink_to(outside / "sub", target_is_directory=True)
        with pytest.raises(nofollow.LinkRefusedError):
            nofollow.write_atomic(target, b"x", anchor=root)
        with pytest.raises(nofollow.LinkRefusedError):
            nofollow.make_dirs(target.parent / "d", anchor=root)
    else:  # a link at the final name is replaced, never written through
        target.symlink_to(outside / "victim.txt")
        nofollow.write_atomic(target, b"x", anchor=root)
        assert not target.is_symlink() and target.read_bytes() == b"x"
    assert (outside / "victim.txt").read_text() == "do not touch\n"
    assert sorted(p.name for p in (outside / "sub").iterdir()) == ["keep.json"]


@pytest.mark.parametrize("kind", ["file", "dangling", "hard", "fifo"])
def test_logs_and_the_lock_are_never_opened_through_a_link(tmp_path: Path, kind: str) -> None:
    outside = _outside(tmp_path)
    paths = RunPaths(tmp_path / "proj")
    paths.root.mkdir(parents=True)
    for path in (paths.audit, paths.lock):
        if kind == "file":
            path.symlink_to(outside / "victim.txt")
        elif kind == "dangling":
            path.symlink_to(outside / "new.txt")
        elif kind == "hard":
            os.link(outside / "victim.txt", path)
        else:
            os.mkfifo(path)
    with pytest.raises(OSError):
        JsonlAppender(paths.audit)
    with pytest.raises(OSError):
        RunLock(paths.lock).acquire()
    assert (outside / "victim.txt").read_text() == "do not touch\n"
    assert not (outside / "new.txt").exists()


def test_a_relative_path_is_refused_by_the_writer(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        atomic_write_bytes(Path("relative.json"), b"x")


@pytest.mark.parametrize("recorded", [".", "..", "relative/path", "/somewhere/else", ""])
async def test_a_queue_naming_another_or_a_relative_folder_is_refused_on_resume(
    tmp_path: Path, recorded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_sample("express-server", tmp_path)
    monkeypatch.chdir(project)  # a relative "." would name the project if read against the cwd
    first = await _run(project)
    assert first.exit_code == 0
    queue = project / ".posthog-wizard" / "queue.json"
    text = queue.read_text().replace(f'"install_dir":"{project}"', f'"install_dir":"{recorded}"')
    text = text.replace('"finished":true', '"finished":false')
    queue.write_text(text)
    result = await _run(project, resume=True)
    assert result.exit_code == 2 and "\n" not in result.message
    assert queue.read_text() == text
