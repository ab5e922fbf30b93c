"""The user's project as an integrator sees it: read-only, through the agent's tools.

Integrators are written against `ProjectReader`, so in a run every read goes through
`read_file`, `list_files` and `search_files` (which show the proposed state of a file that
an earlier task changed), and a unit test hands them a dict of files instead.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import PurePosixPath
from typing import Any, Protocol

from wizard_tui.agents.offline.session import Session

_NOT_APP = re.compile(r"(^|/)(tests?|testing|migrations|docs|examples?|scripts|\.venv|venv|site-packages)/")
READ_LIMIT = 2_000  # lines: the read tool's maximum; a longer file is left alone
LIST_LIMIT = 2_000


class ProjectReader(Protocol):
    """What integrators may ask of the project. Paths are relative to the project root."""

    async def files(self) -> list[str]:
        """Every file the tools list (dependencies, build output and ignored files left out)."""
        ...

    async def read(self, path: str) -> str | None:
        """The whole text of `path` (its proposed state), or None when it cannot be read whole."""
        ...

    async def search(self, pattern: str, glob: str | None = None) -> list[dict[str, Any]]:
        """`{file, line, text}` matches of a regular expression."""
        ...

    async def has(self, path: str) -> bool:
        """Whether `path` is a file of the project (even past the end of a cut listing)."""
        ...


def join(base: str, *parts: str) -> str:
    """A project-relative path: `base` ("." for the root) joined with `parts`."""
    path = PurePosixPath(base)
    for part in parts:
        path = path / part
    text = path.as_posix()
    return text[2:] if text.startswith("./") else text


def app_module(path: str) -> bool:
    """A Python module of the app itself: not a test, script, example, migration or vendored package."""
    return path.endswith(".py") and not _NOT_APP.search("/" + path) and not PurePosixPath(path).name.startswith("test_")


async def first_existing(project: ProjectReader, *paths: str) -> str | None:
    for path in paths:
        if await project.has(path):
            return path
    return None


class ToolProject:
    """A `ProjectReader` over one agent's tools, caching what it read for the agent's turn."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._files: list[str] | None = None
        self._listed: set[str] = set()
        self._cut = False  # the listing hit its cap: a file missing from it may still exist
        self._folders: dict[str, set[str]] = {}
        self._texts: dict[str, str | None] = {}
        self.read_paths: list[str] = []  # what was read, for the handoff's evidence

    async def files(self) -> list[str]:
        if self._files is None:
            listing = await self.session.call("list_files", {"path": ".", "max_results": LIST_LIMIT})
            self._files = list(listing.get("files", [])) if listing else []
            self._listed = set(self._files)
            self._cut = bool(listing and listing.get("truncated"))
        return self._files

    async def has(self, path: str) -> bool:
        await self.files()
        if path in self._listed:
            return True
        if not self._cut:
            return False
        # A big project's listing is cut: ask for the file itself.
        found = await self.session.call(
            "list_files", {"path": str(PurePosixPath(path).parent), "max_results": LIST_LIMIT}
        )
        return bool(found) and path in found.get("files", [])

    async def read(self, path: str) -> str | None:
        if path not in self._texts:
            result = await self.session.call("read_file", {"path": path, "limit": READ_LIMIT})
            text: str | None = None
            # A cut file or line cannot be edited safely: an edit's old text must match the file.
            if result and not result.get("truncated") and "[line cut]" not in result.get("content", ""):
                text = str(result["content"])
            self._texts[path] = text
            self.read_paths.append(path)
        return self._texts[path]

    def forget(self, path: str) -> None:
        """Drop a cached read, after this agent proposed a change to the file."""
        self._texts.pop(path, None)
        if self._files is not None and path not in self._listed:
            self._files.append(path)
            self._listed.add(path)

    async def search(self, pattern: str, glob: str | None = None) -> list[dict[str, Any]]:
        args: dict[str, Any] = {"pattern": pattern, "max_results": 200}
        if glob:
            args["glob"] = glob
        found = await self.session.call("search_files", args)
        return list(found.get("matches", [])) if found else []


class DictProject:
    """A `ProjectReader` over a dict of files: for tests and benchmarks of the integrators."""

    def __init__(self, files: dict[str, str]) -> None:
        self.texts = dict(files)

    async def files(self) -> list[str]:
        return sorted(self.texts)

    async def has(self, path: str) -> bool:
        return path in self.texts

    async def read(self, path: str) -> str | None:
        text = self.texts.get(path)
        # The read tool joins lines without the final newline; integrators must cope with that.
        return None if text is None else "\n".join(text.splitlines())

    async def search(self, pattern: str, glob: str | None = None) -> list[dict[str, Any]]:
        regex = re.compile(pattern)
        out = []
        for path, text in sorted(self.texts.items()):
            # Like the search tool: `**/` also matches files at the top level.
            if glob and not (PurePosixPath(path).match(glob) or fnmatch.fnmatch(path, glob.removeprefix("**/"))):
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if regex.search(line):
                    out.append({"file": path, "line": number, "text": line.strip()})
        return out
