"""Shared fixtures: copies of the sample projects, so runs never write into the repo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.harness import Harness
from tests.support.samples import copy_sample


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
