"""apply and revert: all files or none, refusals that write nothing, links never followed, revert byte for byte."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.applying import finish_run as finish_proposals
from tests.support.applying import tree
from tests.support.harness import Harness
from wizard_tui.cli import main
from wizard_tui.domain.changes import AppliedRecord
from wizard_tui.domain.writers import atomic_write_bytes
from wizard_tui.engine import apply as apply_module
from wizard_tui.engine.apply import ApplyError, apply_changes, revert_changes


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "src").mkdir(parents=True)
    (root / "package.json").write_text('{\n  "dependencies": {\n    "next": "15"\n  }\n}\n')
    (root / "src" / "layout.tsx").write_bytes(b"export default function Layout() {\r\n  return null\r\n}\r\n")
    (root / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "run.sh").chmod(0o755)
    (root / "untouched.txt").write_text("keep\n")
    return root


CALLS: list[tuple[str, dict[str, Any]]] = [
    ("propose_edit", {"path": "package.json", "old": '"next": "15"', "new": '"next": "15",\n    "posthog-js": "^1"'}),
    ("propose_edit", {"path": "src/layout.tsx", "old": "  return null\n", "new": "  posthog.init()\n  return null\n"}),
    ("propose_edit", {"path": "run.sh", "old": "echo hi", "new": "echo hello"}),
    ("propose_file", {"path": "src/lib/posthog/client.ts", "content": "export const ph = 1\n"}),
    ("propose_file", {"path": "notes é.md", "content": "no newline"}),
]


async def finish_run(project: Path, calls: list[tuple[str, dict[str, Any]]] = CALLS) -> Harness:
    return await finish_proposals(project, calls)


async def test_apply_writes_what_git_would_and_revert_restores_the_tree(project: Path) -> None:
    before = tree(project)
    h = await finish_run(project)
    assert tree(project) == before, "the run itself writes nothing"

    # What git makes of the patch, in a copy, is what apply must make of the project.
    mirror = project.parent / "mirror"
    subprocess.run(["cp", "-a", str(project), str(mirror)], check=True)
    subprocess.run(["git", "apply", "--check", str(h.paths.changes_patch)], cwd=mirror, check=True)
    subprocess.run(["git", "apply", str(h.paths.changes_patch)], cwd=mirror, check=True)

    outcome = apply_changes(project)
    assert sorted(outcome.written) == ["package.json", "run.sh", "src/layout.tsx"]
    assert sorted(outcome.created) == ["notes é.md", "src/lib/posthog/client.ts"]
    applied = tree(project)
    assert applied == tree(mirror)
    assert applied["run.sh"].endswith(" 755"), "apply keeps a file's mode"
    assert (project / "src" / "layout.tsx").read_bytes().count(b"\r\n") == 4, "CRLF stays CRLF"
    assert not list(project.rglob(".*.tmp")), "no temp file is left behind"
    record = AppliedRecord.model_validate_json((h.paths.applied / h.store.run_id / "record.json").read_bytes())
    assert record.state == "applied" and record.created_dirs == ["src/lib", "src/lib/posthog"]

    undone = revert_changes(project)
    assert sorted(undone.removed) == ["notes é.md", "src/lib/posthog/client.ts"]
    assert tree(project) == before, "revert restores the project byte for byte, modes and folders included"
    # The record stays, marked: a second revert has nothing to do, a new apply may go again.
    with pytest.raises(ApplyError, match="nothing to revert"):
        revert_changes(project)
    apply_changes(project)
    assert tree(project) == applied


async def test_a_target_changed_since_the_run_is_refused_and_nothing_is_written(project: Path) -> None:
    h = await finish_run(project)
    (project / "run.sh").write_text("#!/bin/sh\necho mine\n")
    before = tree(project)
    with pytest.raises(ApplyError, match=r"^run.sh changed since the run; nothing was written"):
        apply_changes(project)
    assert tree(project) == before
    assert not (h.paths.applied / h.store.run_id / "record.json").exists()


@pytest.mark.parametrize(
    ("prepare", "words"),
    [
        (lambda p, o: (p / "package.json").unlink(), "was removed since the run"),
        (lambda p, o: (p / "notes é.md").write_text("mine\n"), "exists now"),
        (lambda p, o: _swap_file_for_link(p / "package.json", o), "symbolic link"),
        (lambda p, o: (p / "notes é.md").symlink_to(o), "symbolic link"),
        (lambda p, o: _swap_dir_for_link(p / "src"), "symbolic link"),
        (lambda p, o: (p / "src" / "lib").symlink_to(o.parent, target_is_directory=True), "symbolic link"),
        (lambda p, o: (p / "src" / "lib").write_text("a file where a folder goes\n"), "folder"),
    ],
    ids=[
        "removed",
        "created-meanwhile",
        "target-link",
        "new-file-link",
        "parent-link",
        "new-parent-link",
        "file-as-dir",
    ],
)
async def test_targets_that_are_gone_links_or_in_the_way_are_refused(
    project: Path, prepare: Callable[[Path, Path], object], words: str
) -> None:
    await finish_run(project)
    outside = project.parent / "outside.txt"
    outside.write_text("outside\n")
    prepare(project, outside)
    before = tree(project)
    with pytest.raises(ApplyError, match=words):
        apply_changes(project)
    assert tree(project) == before, "a refused apply writes nothing"
    assert outside.read_text() == "outside\n"
    assert sorted(p.name for p in project.parent.iterdir()) == ["app", "outside.txt"]


def _swap_file_for_link(path: Path, outside: Path) -> None:
    path.unlink()
    path.symlink_to(outside)


def _swap_dir_for_link(folder: Path) -> None:
    moved = folder.with_name(folder.name + "-moved")
    folder.rename(moved)
    folder.symlink_to(moved, target_is_directory=True)


@pytest.mark.parametrize("phase", ["write_temp_at", "replace_at"])
@pytest.mark.parametrize("fail_at", [1, 3, 5])
async def test_a_failure_part_way_leaves_every_file_as_it_was(
    project: Path, monkeypatch: pytest.MonkeyPatch, phase: str, fail_at: int
) -> None:
    h = await finish_run(project)
    before = tree(project)
    real = getattr(apply_module, phase)
    calls = {"n": 0}

    def failing(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise OSError(28, "No space left on device")
        return real(*args)

    monkeypatch.setattr(apply_module, phase, failing)
    with pytest.raises(ApplyError, match=r"No space left on device.*every file was put back"):
        apply_changes(project)
    monkeypatch.undo()
    assert tree(project) == before, f"{phase} failing at call {fail_at} left the project changed"
    assert not list(project.rglob(".*.tmp"))
    assert not (h.paths.applied / h.store.run_id / "record.json").exists()
    apply_changes(project)  # and once the disk is fine, it applies
    assert tree(project) != before


async def test_revert_refuses_when_a_file_changed_since_apply(project: Path) -> None:
    await finish_run(project)
    apply_changes(project)
    (project / "src" / "lib" / "posthog" / "client.ts").write_text("my own edit\n")
    changed = tree(project)
    with pytest.raises(ApplyError, match=r"client\.ts changed since the changes were applied; nothing was reverted"):
        revert_changes(project)
    assert tree(project) == changed


async def test_apply_refuses_twice_an_edited_patch_and_an_unfinished_run(project: Path) -> None:
    h = await finish_run(project)
    apply_changes(project)
    with pytest.raises(ApplyError, match="already applied"):
        apply_changes(project)
    revert_changes(project)

    h.paths.changes_patch.write_bytes(h.paths.changes_patch.read_bytes() + b"\n")
    with pytest.raises(ApplyError, match="not the patch the run wrote"):
        apply_changes(project)

    h.store.finished = False
    atomic_write_bytes(h.paths.queue, h.store.render())
    with pytest.raises(ApplyError, match="has not finished"):
        apply_changes(project)


async def test_a_run_without_proposals_has_nothing_to_apply(project: Path) -> None:
    h = Harness(project)
    h.store.mark_finished()
    atomic_write_bytes(h.paths.queue, h.store.render())
    assert h.services.proposals.finish(h.store.clock.now()) is None
    with pytest.raises(ApplyError, match="proposed no changes"):
        apply_changes(project)
    fresh = project.parent / "fresh"
    fresh.mkdir()
    with pytest.raises(ApplyError, match="no wizard run"):
        apply_changes(fresh)


async def test_the_commands_print_what_they_did_and_refuse_in_one_sentence(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await finish_run(project)
    before = tree(project)
    assert main(["apply", str(project)]) == 0
    out = capsys.readouterr().out
    assert "  changed  package.json" in out and "  created  src/lib/posthog/client.ts" in out and "revert" in out
    assert main(["apply", str(project)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wizard-tui: the changes of run") and err.count("\n") == 1 and "Traceback" not in err
    assert main(["revert", str(project)]) == 0
    assert "  removed  notes é.md" in capsys.readouterr().out
    assert tree(project) == before
    assert main(["revert", str(project)]) == 2
    assert "nothing to revert" in capsys.readouterr().err
    assert main(["apply", str(project / "missing")]) == 2
