"""The real `git apply`, run on a copy of the originals: the judge of every patch the wizard writes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from wizard_tui.domain.patch import FileChange, unified_patch

GIT = shutil.which("git")


def git_env(home: Path) -> dict[str, str]:
    """No user or system config may change how a patch is read (autocrlf, whitespace rules)."""
    return {**os.environ, "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git_apply(root: Path, patch: bytes, *, check_only: bool = False) -> subprocess.CompletedProcess[bytes]:
    """`git apply` (or `--check`) of `patch` in `root`, whatever the outcome."""
    patch_file = root.parent / f"{root.name}.patch"
    patch_file.write_bytes(patch)
    args = ["apply", "--check", "-v"] if check_only else ["apply"]
    return subprocess.run(["git", *args, str(patch_file)], cwd=root, env=git_env(root.parent), capture_output=True)


def fresh_repo(root: Path, changes: list[FileChange]) -> None:
    """A new git repo holding the original of every change."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=git_env(root.parent))
    for change in changes:
        if change.before is not None:
            target = root / change.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(change.before)
            target.chmod(change.mode)


def git_applies(root: Path, changes: list[FileChange], patch: bytes | None = None) -> None:
    """Write the originals into a fresh repo, check and apply the patch with git, compare every byte."""
    fresh_repo(root, changes)
    patch = unified_patch(changes) if patch is None else patch
    for check_only in (True, False):
        done = git_apply(root, patch, check_only=check_only)
        assert done.returncode == 0, (check_only, done.stderr.decode(errors="replace"), patch)
    for change in changes:
        assert (root / change.path).read_bytes() == change.after, change.path
