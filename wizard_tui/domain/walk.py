"""Bounded, confined walking of a user's project: the one place that decides what is skipped.

Exploration tools and detection both walk the tree through here, so `.git`,
`node_modules`, virtualenvs, build output and `.gitignore`d paths are skipped the
same way everywhere, and no walk can escape the root or loop on a symlink. Which files
are source code, and which folders hold tests, are said here once too.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import re2

if TYPE_CHECKING:  # imported where a .gitignore is first read: 10 ms of the UI's first paint
    import pathspec

# Directories that are never the user's source: VCS data, dependencies, caches, build output.
SKIP_DIRS: frozenset[str] = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "bower_components",
        "jspm_packages",
        ".venv",
        "venv",
        "env",
        ".env",
        "virtualenv",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        "site-packages",
        "dist",
        "build",
        "out",
        ".next",
        ".nuxt",
        ".output",
        ".svelte-kit",
        ".astro",
        ".turbo",
        ".vercel",
        ".netlify",
        ".cache",
        ".parcel-cache",
        "coverage",
        "target",
        "vendor",
        ".gradle",
        ".idea",
        ".vscode",
        "Pods",
        "DerivedData",
        ".dart_tool",
        "_build",
        "deps",
        ".expo",
        ".angular",
        "storybook-static",
        ".posthog-wizard",
        ".terraform",
        ".serverless",
    }
)

# Source code, by language family: what detection scans for LLM calls and reads as an app's own code.
SOURCE_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "javascript": (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts"),
    "component": (".vue", ".svelte", ".astro"),  # single-file components: script inside markup
    "python": (".py",),
    "ruby": (".rb", ".rake"),
    "go": (".go",),
    "php": (".php",),
    "rust": (".rs",),
    "elixir": (".ex", ".exs"),
    "dart": (".dart",),
    "jvm": (".kt", ".java", ".scala"),
    "swift": (".swift",),
}

# Folders of tests and test material: never an app of their own, and read last.
TEST_DIRS: frozenset[str] = frozenset(
    {
        "test",
        "tests",
        "__tests__",
        "testing",
        "spec",
        "e2e",
        "integration",
        "integration_tests",
        "fixtures",
        "__fixtures__",
        "test-fixtures",
        "testdata",
        "__mocks__",
        "stories",
    }
)


@dataclass
class WalkBudget:
    """Caps one walk: files yielded, directories read, and wall-clock seconds."""

    max_files: int = 20_000
    max_dirs: int = 20_000
    seconds: float = 2.0
    files_seen: int = 0
    dirs_seen: int = 0
    exhausted: bool = False
    notes: list[str] = field(default_factory=list)
    _deadline: float = field(default=0.0, repr=False)
    _cancelled: threading.Event = field(default_factory=threading.Event, repr=False)

    def start(self) -> None:
        self._deadline = time.monotonic() + self.seconds

    def cancel(self) -> None:
        """Stop the walk (or scan) at its next step: its caller was cancelled (Ctrl-C)."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def over(self) -> bool:
        if (
            self.files_seen >= self.max_files
            or self.dirs_seen >= self.max_dirs
            or time.monotonic() > self._deadline
            or self._cancelled.is_set()
        ):
            self.exhausted = True
        return self.exhausted

    def note(self, text: str) -> None:
        if len(self.notes) < MAX_NOTES and text not in self.notes:
            self.notes.append(text)


MAX_NOTES = 20
MAX_GITIGNORE_BYTES = 256 * 1024
MAX_GITIGNORE_LINE = 1_000
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
_RE2_OPTIONS.max_mem = 1 << 20


def _linear(pattern: pathspec.Pattern) -> bool:
    """Swap a pattern's backtracking regex for the same regex on RE2, a linear-time engine.

    pathspec compiles `.gitignore` lines with Python's `re`, which a hostile line such as
    `*a*a*a*a*a*b` can keep busy for ages while holding the interpreter lock (no timeout or
    Ctrl-C gets through). pathspec only calls `regex.match(path)`, which RE2 provides.
    """
    regex = getattr(pattern, "regex", None)
    if regex is None:
        return True
    try:
        pattern.regex = re2.compile(regex.pattern, _RE2_OPTIONS)  # type: ignore[attr-defined]
    except re2.error:
        return False
    return True


def gitignore_spec(
    lines: list[str], where: str = ".gitignore", budget: WalkBudget | None = None
) -> pathspec.GitIgnoreSpec | None:
    """A spec of the lines git would accept, each matched in linear time; the others skipped with a note.

    A line git rejects or ignores (`!`, a lone `\\`, `[z-a]`) must not make the whole file,
    or the run, fail: it is left out, as git leaves it out.
    """
    import pathspec

    patterns: list[Any] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        problem = None
        if len(line) > MAX_GITIGNORE_LINE:
            problem = f"over {MAX_GITIGNORE_LINE} characters"
        else:
            try:
                pattern = pathspec.GitIgnoreSpec.from_lines([line]).patterns[0]
            except (ValueError, re.error, RecursionError) as exc:
                problem = f"not a pattern git accepts ({type(exc).__name__})"
            else:
                if _linear(pattern):
                    patterns.append(pattern)
                else:
                    problem = "too complex to match in bounded time"
        if problem and budget is not None:
            budget.note(f"{where} line {number} skipped: {problem}")
    return pathspec.GitIgnoreSpec(patterns) if patterns else None


def _load_gitignore(
    directory: Path, rel_dir: str = "", budget: WalkBudget | None = None
) -> pathspec.GitIgnoreSpec | None:
    path = directory / ".gitignore"
    try:
        if not path.is_file() or path.is_symlink():
            return None
        with path.open("rb") as handle:
            data = handle.read(MAX_GITIGNORE_BYTES)
    except OSError:
        return None
    text = data.decode("utf-8", errors="replace")
    where = f"{rel_dir}/.gitignore" if rel_dir else ".gitignore"
    return gitignore_spec(text.splitlines(), where, budget)


def _ignored(rel: str, is_dir: bool, specs: list[tuple[str, pathspec.GitIgnoreSpec]]) -> bool:
    """Apply every `.gitignore` between the root and this path, nearest last."""
    ignored = False
    for base, spec in specs:
        if base and not rel.startswith(base + "/"):
            continue
        sub = rel[len(base) + 1 :] if base else rel
        if is_dir:
            sub += "/"
        result = spec.check_file(sub)
        if result.include is not None:
            ignored = bool(result.include)
    return ignored


def is_ignored(root: Path, rel: str) -> bool:
    """Whether the project's `.gitignore` files ignore the file `rel`, or a folder above it."""
    parts = rel.split("/")
    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    for i in range(len(parts)):
        base = "/".join(parts[:i])
        if base and _ignored(base, True, specs):
            return True
        spec = _load_gitignore(root.joinpath(*parts[:i]))
        if spec is not None:
            specs.append((base, spec))
    return _ignored(rel, False, specs)


def iter_files(
    root: Path,
    start: Path | None = None,
    *,
    budget: WalkBudget | None = None,
    honour_gitignore: bool = True,
    max_depth: int = 64,
) -> Iterator[str]:
    """Yield file paths relative to `root` (posix style), breadth-first, sorted per directory.

    Symlinked directories are not followed, symlinked files are yielded only when
    they resolve inside `root`. The walk stops quietly when the budget runs out;
    callers read `budget.exhausted` to say the listing was cut.
    """
    budget = budget or WalkBudget()
    budget.start()
    root = root.resolve()
    start = (start or root).resolve()
    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    if honour_gitignore:
        # Ignore files of the directories above `start`, down from the root.
        parts = start.relative_to(root).parts
        for i in range(len(parts) + 1):
            base = "/".join(parts[:i])
            spec = _load_gitignore(root.joinpath(*parts[:i]), base, budget)
            if spec is not None:
                specs.append((base, spec))
    queue: list[tuple[Path, list[tuple[str, pathspec.GitIgnoreSpec]], int]] = [(start, specs, 0)]
    while queue:
        directory, dir_specs, depth = queue.pop(0)
        if budget.over():
            return
        budget.dirs_seen += 1
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        rel_dir = directory.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        child_specs = dir_specs
        if honour_gitignore and directory != start:
            spec = _load_gitignore(directory, rel_dir, budget)
            if spec is not None:
                child_specs = [*dir_specs, (rel_dir, spec)]
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIP_DIRS or depth >= max_depth:
                    continue
                if honour_gitignore and _ignored(rel, True, child_specs):
                    continue
                queue.append((Path(entry.path), child_specs, depth + 1))
                continue
            if is_link:
                try:
                    target = Path(entry.path).resolve(strict=True)
                except (OSError, RuntimeError):
                    continue
                if not target.is_relative_to(root) or not target.is_file():
                    continue
            elif not entry.is_file(follow_symlinks=False):
                continue
            if honour_gitignore and _ignored(rel, False, child_specs):
                continue
            budget.files_seen += 1
            yield rel
            if budget.over():
                return
