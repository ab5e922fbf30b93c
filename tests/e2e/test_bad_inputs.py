"""Bad input through the real command line: one sentence on stderr and exit 2, or a clear verdict; never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.crash import digest_tree, wizard, wizard_run
from tests.support.samples import copy_sample
from tests.unit.test_printable import raw_control
from wizard_tui.domain.persistence import read_queue_file


def one_sentence(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and lines[0].startswith("wizard-tui"), stderr
    return lines[0]


def empty_dir(tmp: Path) -> str:
    (tmp / "empty").mkdir()
    return str(tmp / "empty")


def a_file(tmp: Path) -> str:
    (tmp / "app.js").write_text("console.log(1)\n")
    return str(tmp / "app.js")


def a_pipe(tmp: Path) -> str:
    os.mkfifo(tmp / "pipe")
    return str(tmp / "pipe")


def run_dir_is_a_file(tmp: Path) -> str:
    (tmp / "app").mkdir()
    (tmp / "app" / ".posthog-wizard").write_text("not a folder\n")
    return str(tmp / "app")


def run_dir_is_a_link(tmp: Path) -> str:
    (tmp / "app").mkdir()
    (tmp / "elsewhere").mkdir()
    (tmp / "app" / ".posthog-wizard").symlink_to(tmp / "elsewhere")
    return str(tmp / "app")


Setup = Callable[[Path], str]
USAGE: list[tuple[Setup, list[str], str]] = [
    (lambda tmp: str(tmp / "missing"), ["--no-ui"], "does not exist"),
    (a_file, ["--no-ui"], "is a file, not a folder"),
    (a_pipe, ["--no-ui"], "not a folder"),
    (run_dir_is_a_file, ["--no-ui"], "is not a folder"),
    (run_dir_is_a_link, ["--no-ui"], "is a symlink"),
    (empty_dir, ["--no-ui", "--concurrency", "0"], "must be from 1 to 32"),
    (empty_dir, ["--no-ui", "--concurrency", "-3"], "must be from 1 to 32"),
    (empty_dir, ["--no-ui", "--concurrency", "two"], "is not a whole number"),
    (empty_dir, ["--no-ui", "--max-tasks", "0"], "must be from 1 to"),
    (empty_dir, ["--no-ui", "--pace", "-1"], "must be from 0 to"),
    (empty_dir, ["--no-ui", "--bogus"], "unrecognized arguments: --bogus"),
    (empty_dir, ["--no-ui", "--agent", "gpt"], "invalid choice"),
    (empty_dir, ["--no-ui", "--resume", "--fresh"], "cannot be used together"),
    (empty_dir, ["--no-ui", "--resume"], "no run to resume"),
]


@pytest.mark.parametrize(
    ("setup", "args", "needle"),
    USAGE,
    ids=[f"{getattr(s, '__name__', 'path')}:{' '.join(a)}" for s, a, _ in USAGE],
)
def test_bad_usage_is_one_sentence_and_exit_2(tmp_path: Path, setup: Setup, args: list[str], needle: str) -> None:
    done = wizard_run(setup(tmp_path), *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert needle in one_sentence(done.stderr)
    assert done.stdout == ""


def test_no_arguments_at_all() -> None:
    done = wizard_run()
    assert done.returncode == 2 and "required" in one_sentence(done.stderr)


def test_an_empty_folder_gets_a_verdict_not_a_crash(tmp_path: Path) -> None:
    done = wizard_run(empty_dir(tmp_path), "--no-ui", "--stub", "--json")
    assert done.returncode in (0, 1) and done.stderr == "", done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    assert summary["kind"] == "summary" and summary["exit_code"] == done.returncode
    assert summary["message"].endswith(".") and summary["metrics"]["tasks_total"] >= 1
    queue = read_queue_file(tmp_path / "empty" / ".posthog-wizard" / "queue.json")
    assert queue.finished and queue.framework == "unknown"
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == [".posthog-wizard"]


def test_a_folder_of_100_000_files_finishes_in_bounded_time(tmp_path: Path) -> None:
    root = tmp_path / "many"
    root.mkdir()
    (root / "package.json").write_text('{"dependencies": {"next": "14.2.0"}}\n')
    for d in range(100):
        folder = root / f"d{d:03d}"
        folder.mkdir()
        first = folder / "f0000.js"
        first.write_text("")
        for i in range(1, 1000):  # hard links: one syscall each, so the tree takes about a second to make
            os.link(first, folder / f"f{i:04d}.js")
    before = digest_tree(root)
    t0 = time.monotonic()
    done = wizard_run(str(root), "--no-ui", "--stub", "--json", timeout=120)  # a hang would be a timeout, not a pass
    elapsed = time.monotonic() - t0
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    assert summary["message"].startswith("All ")
    assert digest_tree(root) == before
    print(f"\n100,000 files: run took {elapsed:.1f} s")


def test_a_corrupt_queue_through_the_cli_is_left_as_it_is(tmp_path: Path) -> None:
    project = copy_sample("express-server", tmp_path)
    queue = project / ".posthog-wizard" / "queue.json"
    queue.parent.mkdir()
    queue.write_bytes(b'{"version": 1, "run_id": "x", "tasks": [')
    for args in (["--resume"], []):
        done = wizard_run(str(project), "--no-ui", "--stub", *args)
        assert done.returncode == 2
        line = one_sentence(done.stderr)
        assert "not a valid queue file" in line and "--fresh" in line
        assert queue.read_bytes() == b'{"version": 1, "run_id": "x", "tasks": ['
    fresh = wizard_run(str(project), "--no-ui", "--stub", "--fresh")
    assert fresh.returncode == 0, fresh.stderr
    (kept,) = (project / ".posthog-wizard" / "previous").glob("unreadable-*/queue.json")
    assert kept.read_bytes() == b'{"version": 1, "run_id": "x", "tasks": ['


def test_a_reader_that_goes_away_does_not_break_the_run(tmp_path: Path) -> None:
    """`wizard-tui ./app --no-ui | head -1`: the run still finishes and says nothing on stderr."""
    project = copy_sample("django-app", tmp_path)
    proc = wizard(str(project), "--no-ui", "--stub", "--pace", "5", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().strip()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0 and err == "", err
    assert read_queue_file(project / ".posthog-wizard" / "queue.json").finished


def test_a_project_path_with_bytes_that_are_not_utf8_works(tmp_path: Path) -> None:
    """Run, resume check, detect, apply and revert on a folder whose name is not UTF-8 (Python: surrogates)."""
    base = tmp_path / "caf\udce9"  # latin-1 "café"
    base.mkdir()
    project = copy_sample("nextjs-app-router", base).rename(base / "app\udcff\udcfe")
    before = digest_tree(project)
    done = wizard_run(str(project), "--no-ui")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "caf\\xe9/app\\xff\\xfe" in done.stdout  # shown escaped, never as raw bytes
    assert raw_control(done.stdout.encode()) == []
    queue = read_queue_file(project / ".posthog-wizard" / "queue.json")
    assert queue.finished and (project / ".posthog-wizard" / "changes.patch").is_file()
    # The queue names this folder: --resume knows the run (finished), not another folder's.
    again = wizard_run(str(project), "--no-ui", "--resume")
    assert again.returncode == 2 and "already finished" in one_sentence(again.stderr), again.stderr
    assert "$'" in again.stderr  # the hint's path in quotes a shell reads back as the same bytes
    detect = wizard_run("detect", str(project))
    assert detect.returncode == 0 and "Next.js" in detect.stdout, detect.stderr
    applied = wizard_run("apply", str(project))
    assert applied.returncode == 0 and digest_tree(project) != before, applied.stderr
    reverted = wizard_run("revert", str(project))
    assert reverted.returncode == 0, reverted.stderr
    assert digest_tree(project) == before
