"""The originals of proposed files: read from the project once, kept by hash, checked when read again.

No copy of a project file is kept in the run dir. The first proposal to a file records its
hash and mode (a `BaseFile` in `proposals.json`); its text stays in memory, and a later
process (`--resume`, `apply`) reads it again from the project, which a run never changes,
and checks it against the hash. Every read goes without following a link.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from wizard_tui.domain.nofollow import LinkRefusedError, folder, lstat_at, read_at, split_rel
from wizard_tui.domain.proposals import BaseFile, EditError

# The same cap as read_file: a proposed file is one an agent could read whole.
MAX_PROPOSED_BYTES = 512 * 1024


class OriginalChangedError(OSError):
    """A proposed file's original, read again from the project, is not what the run first read."""

    def __init__(self, rel: str) -> None:
        super().__init__(f"{rel} changed in the project since the run first read it")
        self.rel = rel


def sha256(data: bytes) -> str:
    """The hex SHA-256 of `data`: how an original, a file in the patch and the patch are named."""
    return hashlib.sha256(data).hexdigest()


class Originals:
    """The original text of every proposed file of one run, by hash, in memory only."""

    def __init__(self, install_dir: Path) -> None:
        self.install_dir = install_dir
        self._texts: dict[str, str] = {}  # original text by sha256

    def capture(self, rel: str) -> BaseFile:
        """The file's hash and mode as it is now (no hash: a new file); EditError when it cannot be changed."""
        try:
            found = read_original(self.install_dir, rel)
        except LinkRefusedError as exc:
            raise EditError(f"{rel} cannot be changed: a folder on its path is a symbolic link.") from exc
        except NotADirectoryError as exc:
            raise EditError(f"{rel} cannot be created: a file stands where a folder on its path should be.") from exc
        except OSError as exc:
            raise EditError(f"{rel} cannot be read ({exc.strerror or exc}).") from exc
        if found is None:
            return BaseFile(path=rel)
        data, info = found
        if stat.S_ISLNK(info.st_mode):
            raise EditError(f"{rel} is a symbolic link; the wizard never changes a link or what it points to.")
        if not stat.S_ISREG(info.st_mode):
            raise EditError(f"{rel} is not a regular file; only text files can be changed.")
        if b"\x00" in data[:8192]:
            raise EditError(f"{rel} is a binary file; only text files can be changed.")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EditError(f"{rel} is not UTF-8 text, so the wizard cannot change it safely.") from exc
        digest = sha256(data)
        self._texts[digest] = text
        return BaseFile(path=rel, sha256=digest, mode=stat.S_IMODE(info.st_mode))

    def text(self, rel: str, base: BaseFile) -> str | None:
        """The original text (None: a new file); OriginalChangedError when the project no longer holds it."""
        if base.sha256 is None:
            return None
        text = self._texts.get(base.sha256)
        if text is None:
            # A new process (--resume): the project still holds the original, which the run never changes.
            found = read_original(self.install_dir, rel)
            if found is None or not stat.S_ISREG(found[1].st_mode) or sha256(found[0]) != base.sha256:
                raise OriginalChangedError(rel)
            text = found[0].decode("utf-8")
            self._texts[base.sha256] = text
        return text

    def for_edit(self, rel: str, base: BaseFile) -> str | None:
        """`text` for the propose tools: an original the run cannot read again as it was is the agent's error.

        (Not an OSError: to the tools that means the run dir could not be written.)
        """
        try:
            return self.text(rel, base)
        except OriginalChangedError as exc:
            raise EditError(f"{exc}, so the wizard cannot propose changes to it; leave it and say so.") from exc
        except OSError as exc:
            raise EditError(f"{rel} cannot be read again ({exc.strerror or exc}); leave it and say so.") from exc


def read_original(root: Path, rel: str) -> tuple[bytes, os.stat_result] | None:
    """A project file's bytes and own status, read without following a link (None: no such file).

    A link or a non-regular file comes back with empty bytes and its status, for the caller to refuse.
    """
    parts = split_rel(rel)
    try:
        with folder(root, parts[:-1]) as fd:
            info = lstat_at(fd, parts[-1])
            if info is None:
                return None
            if not stat.S_ISREG(info.st_mode):
                return b"", info
            return read_at(fd, parts[-1], max_bytes=MAX_PROPOSED_BYTES), info
    except FileNotFoundError:  # a parent folder is missing: a new file in new folders
        return None
