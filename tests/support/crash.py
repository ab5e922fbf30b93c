"""Helpers for crash and resume tests: the task graph of a run, file digests, the CLI as a subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.samples import REPO
from wizard_tui.domain.persistence import read_queue_file

Edge = tuple[str, str, tuple[str, ...]]


def graph(project: Path) -> list[Edge]:
    """Each task as (type, inputs, types of its dependencies): equal graphs mean nothing lost or doubled."""
    queue = read_queue_file(project / ".posthog-wizard" / "queue.json")
    by_id = {t.id: t for t in queue.tasks}
    return sorted(
        (t.type, json.dumps(t.inputs, sort_keys=True), tuple(sorted(by_id[d].type for d in t.depends_on)))
        for t in queue.tasks
    )


def duplicated(project: Path) -> list[tuple[str, str]]:
    """(type, inputs) pairs held by more than one task."""
    keys = [(t, i) for t, i, _ in graph(project)]
    return sorted({k for k in keys if keys.count(k) > 1})


def digest_tree(root: Path) -> dict[str, str]:
    """Path -> content hash (size and mtime for big files), skipping pipes and the run dir."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] == ".posthog-wizard":
            continue
        if path.is_symlink():
            out[rel.as_posix()] = "link:" + os.readlink(path)
        elif path.is_file():
            info = path.stat()
            if info.st_size > 1024 * 1024:
                out[rel.as_posix()] = f"big:{info.st_size}:{info.st_mtime_ns}"
            else:
                out[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def cli_env() -> dict[str, str]:
    """The environment of a CLI subprocess: offline agent, no network telemetry."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "POSTHOG_PROJECT_API_KEY")
    }
    env["DO_NOT_TRACK"] = "1"
    return env


def wizard(*args: str, **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "wizard_tui", *args], cwd=REPO, env=cli_env(), text=True, **popen)


def wizard_run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wizard_tui", *args],
        cwd=REPO,
        env=cli_env(),
        text=True,
        capture_output=True,
        timeout=timeout,
    )
