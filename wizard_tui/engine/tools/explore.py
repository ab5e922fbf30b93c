"""Read-only exploration of the user's project, confined to the install dir.

Paths are relative to the install dir. `..`, absolute paths, NUL bytes and symlinks
that resolve outside are refused; skipped folders and `.gitignore`d files are not
listed or searched; big and binary files are refused; secret files (`.env*`, keys)
never have their values returned. Every output is bounded and says when it was cut.
Walks and scans run in a worker thread under a time budget, so a huge tree or a slow
pattern never freezes the event loop (nor Ctrl-C).
"""

from __future__ import annotations

import asyncio
import fnmatch
import os
import re
import stat
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import re2

from wizard_tui.domain.tools import ListFilesInput, ReadFileInput, SearchFilesInput
from wizard_tui.domain.walk import SKIP_DIRS, WalkBudget, is_ignored, iter_files
from wizard_tui.engine.tools.base import ToolContext, ToolError, ToolSpec, bind, viewer_of
from wizard_tui.engine.tools.secret_files import env_key_names, secret_kind
from wizard_tui.engine.tools.secrets import Redacted, SecretVault

__all__ = ["EXPLORE_TOOLS", "confine", "relative_parts", "secret_kind"]

MAX_FILE_BYTES = 512 * 1024
MAX_CONTENT_CHARS = 60_000
MAX_LINE_CHARS = 400
MAX_PATH_CHARS = 4_096
# Minified code puts a whole bundle on one line; only its start is searched, so that a
# pattern with several `.*` stays fast.
MAX_SCAN_LINE = 4_000
SEARCH_SECONDS = 5.0
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would print every rejected pattern to stderr
_RE2_OPTIONS.max_mem = 8 << 20  # a pattern whose automaton needs more is refused, not built
T = TypeVar("T")


def relative_parts(user_path: str) -> tuple[str, ...]:
    """The parts of an agent's relative path (empty for the root), or a ToolError saying why not."""
    if "\x00" in user_path:
        raise ToolError("The path contains a NUL byte; give a plain relative path.")
    if len(user_path) > MAX_PATH_CHARS:
        raise ToolError(f"The path is over {MAX_PATH_CHARS} characters; give a real relative path.")
    if user_path.strip() in ("", "."):
        return ()
    pure = PurePosixPath(user_path.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", user_path):
        raise ToolError(f"{user_path!r} is absolute; paths are relative to the project root (use '.').")
    if ".." in pure.parts:
        raise ToolError(f"{user_path!r} climbs out with '..'; stay inside the project root.")
    return pure.parts


def confine(root: Path, user_path: str) -> Path:
    """Resolve `user_path` inside `root` or raise a ToolError saying why not."""
    parts = relative_parts(user_path)
    if not parts:
        return root
    candidate = root.joinpath(*parts)
    try:
        resolved = candidate.resolve(strict=False)
    except (OSError, RuntimeError, ValueError) as exc:  # symlink loops end here
        raise ToolError(f"{user_path!r} cannot be resolved (a symlink loop?).") from exc
    if not resolved.is_relative_to(root):
        raise ToolError(f"{user_path!r} leads outside the project (a symlink); it is not readable.")
    rel_parts = resolved.relative_to(root).parts
    # A folder that is skipped is not listed either; a file may share such a name (`env`, `build`).
    skipped = rel_parts if _is_dir(resolved) else rel_parts[:-1]
    if any(part in SKIP_DIRS for part in skipped) or (rel_parts and rel_parts[0] == ".git"):
        raise ToolError(
            f"{user_path!r} is inside a folder the wizard does not read (dependencies, VCS or build output)."
        )
    return resolved


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _rel(root: Path, path: Path) -> str:
    rel = path.relative_to(root).as_posix()
    return "." if rel == "" else rel


def _glob_match(rel: str, pattern: str) -> bool:
    try:
        if PurePosixPath(rel).match(pattern):
            return True
    except ValueError:  # a pattern pathlib calls empty, such as "." or "/"
        pass
    if fnmatch.fnmatch(rel, pattern):
        return True
    # '**/' also matches files at the top level.
    return pattern.startswith("**/") and fnmatch.fnmatch(rel, pattern[3:])


def _is_binary(sample: bytes) -> bool:
    return b"\x00" in sample


def _read_regular(path: Path, rel: str) -> bytes:
    """The bytes of a regular file within the size cap, or a ToolError saying why not.

    O_NOFOLLOW and O_NONBLOCK: a link or pipe swapped in after `confine` is refused, not
    followed or waited on.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise ToolError(f"{rel!r} does not exist; use list_files to see what is there.") from exc
    except (OSError, ValueError) as exc:
        raise ToolError(f"{rel} cannot be read ({getattr(exc, 'strerror', None) or exc}).") from exc
    info = os.fstat(fd)
    problem = None
    if stat.S_ISDIR(info.st_mode):
        problem = f"{rel!r} is a folder; list it with list_files."
    elif not stat.S_ISREG(info.st_mode):
        problem = f"{rel!r} is not a regular file (a pipe, socket or device); only text files can be read."
    elif info.st_size > MAX_FILE_BYTES:
        problem = (
            f"{rel} is {info.st_size // 1024} KB, over the {MAX_FILE_BYTES // 1024} KB cap; "
            "use search_files on it instead."
        )
    if problem is not None:
        os.close(fd)
        raise ToolError(problem)
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise ToolError(f"{rel} cannot be read ({exc.strerror}).") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ToolError(f"{rel} grew over the {MAX_FILE_BYTES // 1024} KB cap while being read.")
    return data


async def list_files(ctx: ToolContext, args: ListFilesInput) -> dict[str, Any]:
    root = ctx.services.install_dir
    start = confine(root, args.path)
    if not _is_dir(start):
        raise ToolError(f"{args.path!r} is not a folder; list its parent or read it with read_file.")
    budget = WalkBudget(max_files=20_000, seconds=2.0)
    result = await in_worker(_list, root, start, args, budget, budget=budget)
    # Files that exist only as proposals are part of the project this agent builds on.
    files: list[str] = result["files"]
    base = _rel(root, start)
    for rel in ctx.services.proposals.new_files(viewer_of(ctx)):
        if base not in (".", rel) and not rel.startswith(base + "/"):
            continue
        if rel in files or (args.glob and not _glob_match(rel, args.glob)):
            continue
        if len(files) >= args.max_results:
            result["truncated"] = True
            break
        files.append(rel)
    return result


def _list(root: Path, start: Path, args: ListFilesInput, budget: WalkBudget) -> dict[str, Any]:
    files: list[str] = []
    truncated = False
    for rel in iter_files(root, start, budget=budget):
        if args.glob and not _glob_match(rel, args.glob):
            continue
        if len(files) >= args.max_results:
            truncated = True
            break
        files.append(rel)
    return _with_notes({"files": files, "truncated": truncated or budget.exhausted}, budget)


async def read_file(ctx: ToolContext, args: ReadFileInput) -> dict[str, Any]:
    services = ctx.services
    root = services.install_dir
    path = confine(root, args.path)
    rel = _rel(root, path)
    kind = secret_kind(path.name, PurePosixPath(args.path).name)
    # A file with proposals reads as proposed, so each task builds on the ones before it.
    proposed = services.proposals.proposed_text(rel, viewer_of(ctx)) if kind is None else None
    if proposed is not None:
        text = proposed
    else:
        # list and search leave out what .gitignore names (local config, secrets, output): so does read.
        if kind is None and await asyncio.to_thread(is_ignored, root, rel):
            raise ToolError(f"Refused: {rel} is ignored by the project's .gitignore, so the wizard does not read it.")
        data = _read_regular(path, rel)
        # Secret files are refused; what an agent may know of an env file is which keys it sets.
        if kind == "key":
            services.secrets.remember_values("private-key", data.decode("utf-8", errors="replace").splitlines())
            raise ToolError(f"Refused: {rel} holds key material, and nothing of it is ever shown.")
        if _is_binary(data[:8192]):
            raise ToolError(f"{rel} is a binary file; only text files can be read.")
        text = data.decode("utf-8", errors="replace")
        if kind == "env":
            keys, values = env_key_names(text)
            services.secrets.remember_values("env-value", values)
            shown = ", ".join(f"{k}=<redacted>" for k in keys) or "none"
            raise ToolError(f"Refused: {rel} holds secrets, and their values are never shown. It sets: {shown}.")
    lines = text.splitlines()
    end = args.offset + args.limit
    # Redacted from the top of the file, so a window that starts inside a key block is still hidden.
    redacted = await asyncio.to_thread(services.secrets.redact_lines, lines[:end], rel)
    chunk = redacted[args.offset : end]
    chunk = [ln if len(ln) <= MAX_LINE_CHARS * 5 else ln[: MAX_LINE_CHARS * 5] + " [line cut]" for ln in chunk]
    content = "\n".join(chunk)
    truncated = end < len(lines)
    if len(content) > MAX_CONTENT_CHARS:
        content = content[:MAX_CONTENT_CHARS]
        truncated = True
    result: dict[str, Any] = {"path": rel, "content": Redacted(content), "truncated": truncated}
    if truncated:
        result["total_lines"] = len(lines)
    if proposed is not None:
        result["proposed"] = True
    return result


def _compile(pattern: str) -> Any:
    """The model's pattern on RE2: linear time in the text, whatever the pattern, so no search wedges."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ToolError(
            f"The pattern is not a valid regular expression here ({reason}). Patterns use RE2 syntax: "
            "no backreferences or lookaround; escape special characters."
        ) from exc


async def search_files(ctx: ToolContext, args: SearchFilesInput) -> dict[str, Any]:
    root = ctx.services.install_dir
    regex = _compile(args.pattern)
    start = confine(root, args.path)
    proposals = ctx.services.proposals
    viewer = viewer_of(ctx)
    overlay = {rel: text for rel in proposals.proposed_paths(viewer) if (text := proposals.proposed_text(rel, viewer))}
    budget = WalkBudget(max_files=20_000, seconds=3.0)
    return await in_worker(_search, root, start, args, regex, overlay, budget, ctx.services.secrets, budget=budget)


async def in_worker(fn: Callable[..., T], *args: Any, budget: WalkBudget) -> T:
    """Run a walk or scan in a worker thread; when the caller is cancelled (Ctrl-C), tell it to stop.

    A thread cannot be killed, and the interpreter waits for it at exit: the budget is how it
    learns to end at its next step, so an interrupted run ends within a moment.
    """
    try:
        return await asyncio.to_thread(fn, *args)
    except asyncio.CancelledError:
        budget.cancel()
        raise


def _search(
    root: Path,
    start: Path,
    args: SearchFilesInput,
    regex: Any,
    overlay: dict[str, str],
    budget: WalkBudget,
    vault: SecretVault,
) -> dict[str, Any]:
    """Search the project, reading files with proposals (`overlay`: path -> text) as proposed."""
    deadline = time.monotonic() + SEARCH_SECONDS
    base = _rel(root, start)
    try:
        mode = start.stat().st_mode
    except (OSError, ValueError) as exc:
        if base not in overlay:
            raise ToolError(f"{args.path!r} does not exist; use list_files to see what is there.") from exc
        mode = stat.S_IFREG
    if stat.S_ISREG(mode):
        files = [base]
    elif stat.S_ISDIR(mode):
        files = list(iter_files(root, start, budget=budget))
        known = set(files)
        files += [r for r in sorted(overlay) if r not in known and (base == "." or r.startswith(base + "/"))]
    else:
        raise ToolError(f"{args.path!r} is not a regular file or folder; search a folder or a text file.")
    matches: list[dict[str, Any]] = []
    truncated = budget.exhausted
    scanned_bytes = 0
    for rel in files:
        if time.monotonic() > deadline or budget.cancelled:
            truncated = True
            break
        if args.glob and not _glob_match(rel, args.glob):
            continue
        text = overlay.get(rel)
        if text is None:
            path = root / rel
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError, ValueError):
                continue
            if secret_kind(PurePosixPath(rel).name, real.name) or not real.is_relative_to(root):
                continue
            text = overlay.get(_rel(root, real))  # a link to a file with proposals
        if text is None:
            try:
                data = _read_regular(real, rel)
            except ToolError:
                continue
            if _is_binary(data[:8192]):
                continue
            text = data.decode("utf-8", errors="replace")
        scanned_bytes += len(text)
        lines = text.splitlines()
        redacted: list[str] | None = None
        for number, line in enumerate(lines, start=1):
            if regex.search(line[:MAX_SCAN_LINE]):
                # The pattern must match what the agent may see, or a search would be an oracle
                # that spells a secret out one guessed character at a time.
                if redacted is None:
                    redacted = vault.redact_lines(lines, rel)
                if not regex.search(redacted[number - 1][:MAX_SCAN_LINE]):
                    continue
                if len(matches) >= args.max_results:
                    truncated = True
                    break
                shown = redacted[number - 1].strip()
                if len(shown) > MAX_LINE_CHARS:
                    shown = shown[:MAX_LINE_CHARS] + " [cut]"
                matches.append({"file": rel, "line": number, "text": Redacted(shown)})
        if truncated and len(matches) >= args.max_results:
            break
        if scanned_bytes > 64 * 1024 * 1024:
            truncated = True
            break
    return _with_notes({"matches": matches, "truncated": truncated}, budget)


def _with_notes(result: dict[str, Any], budget: WalkBudget) -> dict[str, Any]:
    """Say which `.gitignore` lines were skipped, so the agent knows why a file was listed."""
    if budget.notes:
        result["notes"] = list(budget.notes)
    return result


EXPLORE_TOOLS: list[ToolSpec[Any]] = [
    bind("list_files", list_files),
    bind("read_file", read_file),
    bind("search_files", search_files),
]
