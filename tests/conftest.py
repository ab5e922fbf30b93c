"""Shared fixtures: copies of the sample projects, so runs never write into the repo."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.toolkit import Harness

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_projects"
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())


def copy_sample(name: str, dest: Path) -> Path:
    """Copy a sample project (without any run dir left in the repo) into `dest/name`."""
    target = dest / name
    shutil.copytree(SAMPLES / name, target, symlinks=True, ignore=shutil.ignore_patterns(".posthog-wizard"))
    return target


def tree_digest(root: Path, *, exclude: str = ".posthog-wizard") -> dict[str, str]:
    """Path -> sha256 of every file (and symlink target) under root, except the run dir."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts and rel.parts[0] == exclude:
            continue
        if path.is_symlink():
            out[rel.as_posix()] = "link:" + str(path.readlink())
        elif path.is_file():
            out[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            out[rel.as_posix() + "/"] = "dir"
    return out


@pytest.fixture
def sample(tmp_path: Path) -> Callable[[str], Path]:
    """`sample("nextjs-app-router")` gives a fresh copy of that sample project."""
    return lambda name: copy_sample(name, tmp_path)


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    """Tool services over a one-file project in tmp_path, for tests of a single agent."""
    project = tmp_path / "proj"
    project.mkdir()
    (project / "index.js").write_text("console.log('hi')\n")
    return Harness(project)
