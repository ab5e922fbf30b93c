"""The sample projects, copied where a test or benchmark may write, and a digest to prove nothing changed."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
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
