"""Shared fixtures: copies of the sample projects, so runs never write into the repo."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.harness import Harness
from tests.support.samples import copy_sample

# Property tests draw the same examples on every run, so `make test` on a clean clone passes or
# fails the same way each time and never on how fast a loaded machine is (no deadline, no
# too-slow health check; tests that pass their own `settings(...)` inherit both).
# HYPOTHESIS_PROFILE=explore draws fresh examples, for hunting new failures by hand.
_NEVER_ON_SPEED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("repeatable", derandomize=True, **_NEVER_ON_SPEED)
settings.register_profile("explore", max_examples=200, **_NEVER_ON_SPEED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


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
