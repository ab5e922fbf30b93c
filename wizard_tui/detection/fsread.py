"""Careful, bounded reads of the user's files: regular files only, inside the root, size-capped."""

from __future__ import annotations

import os
import stat
from pathlib import Path

MANIFEST_CAP = 2 * 1024 * 1024  # a project.pbxproj or a big lock-free manifest stays under this
SOURCE_CAP = 512 * 1024


def _inside(root: Path, path: Path) -> bool:
    try:
        return path.resolve(strict=True).is_relative_to(root)
    except (OSError, RuntimeError):
        return False


def read_text(root: Path, rel: str, cap: int = MANIFEST_CAP) -> str | None:
    """The text of `root/rel`, or None when it is not a readable regular text file within `cap`.

    `root` must be resolved. Never blocks on a FIFO or device, never follows a symlink out
    of the root, never raises.
    """
    path = root / rel if rel else root
    if path.is_symlink() and not _inside(root, path):
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > cap:
        return None
    try:
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except (OSError, ValueError):
        return None
    if len(data) > cap or b"\x00" in data[:8192]:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


def list_dir(root: Path, rel: str) -> dict[str, bool]:
    """Entries of one directory (name -> is a directory), without following directory symlinks."""
    path = root / rel if rel else root
    out: dict[str, bool] = {}
    try:
        with os.scandir(path) as it:
            for entry in it:
                try:
                    out[entry.name] = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
    except OSError:
        return {}
    return out
