"""Read-only exploration of the user's project, confined to the install dir.

Paths are relative to the install dir. `..`, absolute paths, NUL bytes and symlinks
that resolve outside are refused; skipped folders and `.gitignore`d files are not
listed or searched; big and binary files are refused; secret files (`.env*`, keys)
never have their values returned. Every output is bounded and says when it was cut.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wizard_tui.core.tools.base import ToolContext, ToolError, ToolSpec
from wizard_tui.core.walk import SKIP_DIRS, WalkBudget, iter_files

MAX_FILE_BYTES = 512 * 1024
MAX_READ_LINES = 2_000
DEFAULT_READ_LINES = 400
MAX_CONTENT_CHARS = 60_000
MAX_LINE_CHARS = 400
MAX_LIST = 2_000
MAX_MATCHES = 500

_SECRET_NAMES = re.compile(
    r"""^(\.env(\..*)?|.*\.env|\.envrc|\.npmrc|\.pypirc|\.netrc|\.git-credentials|
    id_(rsa|dsa|ecdsa|ed25519)(\.pub)?|.*\.(pem|key|p12|pfx|jks|keystore|asc|gpg|kdbx)|
    credentials(\.json)?|secrets?\.(json|ya?ml|toml)|service-account.*\.json)$""",
    re.IGNORECASE | re.VERBOSE,
)
_KEY_LINE = re.compile(r"^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*[=:]")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListFilesInput(_Input):
    path: str = Field(default=".", description="Folder to list, relative to the project root.")
    glob: str | None = Field(default=None, description="Only files whose relative path matches, e.g. '**/*.tsx'.")
    max_results: int = Field(default=200, ge=1, le=MAX_LIST)


class ReadFileInput(_Input):
    path: str = Field(description="File to read, relative to the project root.")
    offset: int = Field(default=0, ge=0, description="First line to return (0-based).")
    limit: int = Field(default=DEFAULT_READ_LINES, ge=1, le=MAX_READ_LINES, description="How many lines.")


class SearchFilesInput(_Input):
    pattern: str = Field(min_length=1, max_length=500, description="A Python regular expression.")
    path: str = Field(default=".", description="Folder to search, relative to the project root.")
    glob: str | None = Field(default=None, description="Only files whose relative path matches.")
    max_results: int = Field(default=50, ge=1, le=MAX_MATCHES)


def is_secret_file(name: str) -> bool:
    """`.env*`, key material and credential files: their values never leave the tool."""
    return bool(_SECRET_NAMES.match(name)) and not name.lower().endswith((".example", ".sample", ".template"))


def confine(root: Path, user_path: str) -> Path:
    """Resolve `user_path` inside `root` or raise a ToolError saying why not."""
    if "\x00" in user_path:
        raise ToolError("The path contains a NUL byte; give a plain relative path.")
    if user_path.strip() in ("", "."):
        return root
    pure = PurePosixPath(user_path.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", user_path):
        raise ToolError(f"{user_path!r} is absolute; paths are relative to the project root (use '.').")
    if ".." in pure.parts:
        raise ToolError(f"{user_path!r} climbs out with '..'; stay inside the project root.")
    candidate = root.joinpath(*pure.parts)
    try:
        resolved = candidate.resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # symlink loops end here
        raise ToolError(f"{user_path!r} cannot be resolved (a symlink loop?).") from exc
    if not resolved.is_relative_to(root):
        raise ToolError(f"{user_path!r} leads outside the project (a symlink); it is not readable.")
    rel_parts = resolved.relative_to(root).parts
    if any(part in SKIP_DIRS for part in rel_parts[:-1]) or (rel_parts and rel_parts[0] == ".git"):
        raise ToolError(f"{user_path!r} is inside a folder the wizard does not read (dependencies, VCS or build output).")
    return resolved


def _rel(root: Path, path: Path) -> str:
    rel = path.relative_to(root).as_posix()
    return "." if rel == "" else rel


def _glob_match(rel: str, pattern: str) -> bool:
    if PurePosixPath(rel).match(pattern) or fnmatch.fnmatch(rel, pattern):
        return True
    # '**/' also matches files at the top level.
    return pattern.startswith("**/") and fnmatch.fnmatch(rel, pattern[3:])


def _is_binary(sample: bytes) -> bool:
    return b"\x00" in sample


def _redact(text: str) -> str:
    keys = []
    for line in text.splitlines():
        m = _KEY_LINE.match(line)
        if m:
            keys.append(f"{m.group(2)}=<redacted>")
    return "\n".join(keys)


async def list_files(ctx: ToolContext, args: ListFilesInput) -> dict[str, Any]:
    root = ctx.services.install_dir
    start = confine(root, args.path)
    if not start.is_dir():
        raise ToolError(f"{args.path!r} is not a folder; list its parent or read it with read_file.")
    budget = WalkBudget(max_files=20_000, seconds=2.0)
    files: list[str] = []
    truncated = False
    for rel in iter_files(root, start, budget=budget):
        if args.glob and not _glob_match(rel, args.glob):
            continue
        if len(files) >= args.max_results:
            truncated = True
            break
        files.append(rel)
    return {"files": files, "truncated": truncated or budget.exhausted}


async def read_file(ctx: ToolContext, args: ReadFileInput) -> dict[str, Any]:
    root = ctx.services.install_dir
    path = confine(root, args.path)
    rel = _rel(root, path)
    if not path.exists():
        raise ToolError(f"{args.path!r} does not exist; use list_files to see what is there.")
    if not path.is_file():
        raise ToolError(f"{args.path!r} is not a regular file; use list_files for folders.")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ToolError(
                f"{rel} is {size // 1024} KB, over the {MAX_FILE_BYTES // 1024} KB cap; use search_files on it instead."
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ToolError(f"{rel} cannot be read ({exc.strerror}).") from exc
    if _is_binary(data[:8192]):
        raise ToolError(f"{rel} is a binary file; only text files can be read.")
    text = data.decode("utf-8", errors="replace")
    if is_secret_file(path.name):
        return {
            "path": rel,
            "content": _redact(text),
            "truncated": False,
            "redacted": True,
            "note": "This file holds secrets: only its key names are shown.",
        }
    lines = text.splitlines()
    chunk = lines[args.offset : args.offset + args.limit]
    chunk = [ln if len(ln) <= MAX_LINE_CHARS * 5 else ln[: MAX_LINE_CHARS * 5] + " [line cut]" for ln in chunk]
    content = "\n".join(chunk)
    truncated = args.offset + args.limit < len(lines)
    if len(content) > MAX_CONTENT_CHARS:
        content = content[:MAX_CONTENT_CHARS]
        truncated = True
    result: dict[str, Any] = {"path": rel, "content": content, "truncated": truncated}
    if truncated:
        result["total_lines"] = len(lines)
    return result


async def search_files(ctx: ToolContext, args: SearchFilesInput) -> dict[str, Any]:
    root = ctx.services.install_dir
    try:
        regex = re.compile(args.pattern)
    except re.error as exc:
        raise ToolError(f"The pattern is not a valid regular expression ({exc}); escape special characters.") from exc
    start = confine(root, args.path)
    if start.is_file():
        files = [_rel(root, start)]
        budget = WalkBudget()
    elif start.is_dir():
        budget = WalkBudget(max_files=20_000, seconds=3.0)
        files = list(iter_files(root, start, budget=budget))
    else:
        raise ToolError(f"{args.path!r} does not exist; use list_files to see what is there.")
    matches: list[dict[str, Any]] = []
    truncated = budget.exhausted
    scanned_bytes = 0
    for rel in files:
        if args.glob and not _glob_match(rel, args.glob):
            continue
        if is_secret_file(PurePosixPath(rel).name):
            continue
        path = root / rel
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if _is_binary(data[:8192]):
            continue
        scanned_bytes += len(data)
        for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
            if regex.search(line):
                if len(matches) >= args.max_results:
                    truncated = True
                    break
                text = line.strip()
                if len(text) > MAX_LINE_CHARS:
                    text = text[:MAX_LINE_CHARS] + " [cut]"
                matches.append({"file": rel, "line": number, "text": text})
        if truncated and len(matches) >= args.max_results:
            break
        if scanned_bytes > 64 * 1024 * 1024:
            truncated = True
            break
    return {"matches": matches, "truncated": truncated}


EXPLORE_TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        "list_files",
        "List files of the user's project (read-only), relative to its root. Dependencies, VCS "
        "data, build output and .gitignore'd files are left out.",
        ListFilesInput,
        list_files,
    ),
    ToolSpec(
        "read_file",
        "Read lines of a text file of the user's project (read-only). Secret files show key names only.",
        ReadFileInput,
        read_file,
    ),
    ToolSpec(
        "search_files",
        "Search the user's project for a regular expression (read-only); returns file, line and text.",
        SearchFilesInput,
        search_files,
    ),
]
