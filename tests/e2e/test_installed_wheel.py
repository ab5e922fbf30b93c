"""The wheel a user installs (`pipx install .`, `uv tool install .`) runs with nothing from this folder.

Built offline from the checkout with the pinned build backend (no build isolation, no
downloads), installed into a temporary folder without dependencies (they come from the test
virtualenv), and run from outside the repository through its console script.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.crash import cli_env
from tests.support.samples import REPO, copy_sample

TIMEOUT_S = 300


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed wheel (package, metadata and `bin/wizard-tui`)."""
    out = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "--quiet"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(out / "dist"), str(REPO)],
        check=True,
        cwd=out,
        env=cli_env(),
        capture_output=True,
        timeout=TIMEOUT_S,
    )
    (wheel,) = (out / "dist").glob("wizard_tui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "wizard_tui/_agent_prompts/integrate-posthog.md" in names, names
    assert not any(n.startswith(("tests/", "sample_projects/", "bench/")) for n in names)
    target = out / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        check=True,
        cwd=out,
        env=cli_env(),
        capture_output=True,
        timeout=TIMEOUT_S,
    )
    return target


def run_installed(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The installed copy first on the path; its dependencies from this virtualenv.
    env = {**cli_env(), "PYTHONPATH": str(site)}
    return subprocess.run(
        [str(site / "bin" / "wizard-tui"), *args], cwd=cwd, env=env, text=True, capture_output=True, timeout=TIMEOUT_S
    )


def test_the_installed_console_script_runs_a_project_from_outside_the_repo(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [sys.executable, "-c", "import wizard_tui; print(wizard_tui.__file__)"],
        env={**cli_env(), "PYTHONPATH": str(installed)},
        cwd=tmp_path,
        text=True,
        capture_output=True,
        check=True,
    )
    assert where.stdout.strip().startswith(str(installed)), where.stdout  # not the checkout

    version = run_installed(installed, "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("wizard-tui "), version.stderr

    project = copy_sample("nextjs-app-router", tmp_path)
    done = run_installed(installed, str(project), "--json", "--stub", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"kind":"summary"' in done.stdout.splitlines()[-1]
    assert os.path.isfile(project / ".posthog-wizard" / "queue.json")
