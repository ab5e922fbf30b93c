"""What one directory declares: its entries and the dependencies its manifests name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DirInfo:
    """One directory's manifests, read. `deps[eco][name]` is the evidence string for that name.

    Ecosystems: npm, pypi, composer, gem, go, cargo, maven, pub, hex, swift.
    """

    rel: str
    entries: dict[str, bool]  # name -> is a directory
    deps: dict[str, dict[str, str]] = field(default_factory=dict)
    # Python dependencies that only an extra, a dev group or an optional table declares:
    # they count for PostHog and LLM SDKs, not for deciding the framework.
    py_extra: dict[str, str] = field(default_factory=dict)
    package_json: dict[str, Any] | None = None  # {} when present but unreadable or broken
    pyproject: dict[str, Any] | None = None
    cargo: dict[str, Any] | None = None
    # Build files the rules search for markers (Gradle scripts without comments, the version
    # catalog, pubspec.yaml), by path.
    texts: dict[str, str] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        """`name` is a file (not a directory) here."""
        return name in self.entries and not self.entries[name]

    def has_any(self, *names: str) -> bool:
        return any(self.has(name) for name in names)

    def first(self, *names: str) -> str | None:
        """The first of `names` that is a file here."""
        return next((name for name in names if self.has(name)), None)

    def has_dir(self, name: str) -> bool:
        return self.entries.get(name, False)

    def path(self, name: str) -> str:
        """`name` in this directory, as a path from the walk's root."""
        return f"{self.rel}/{name}" if self.rel else name

    def add(self, eco: str, name: str, evidence: str) -> None:
        """A declared dependency; the first evidence for a name is kept."""
        self.deps.setdefault(eco, {}).setdefault(name, evidence)

    def add_extra(self, name: str, evidence: str) -> None:
        """A Python dependency of an extra or a dev group only."""
        self.py_extra.setdefault(name, evidence)

    def dep(self, eco: str, name: str) -> str | None:
        return self.deps.get(eco, {}).get(name)

    def js(self, name: str) -> str | None:
        return self.dep("npm", name)

    def py(self, name: str) -> str | None:
        return self.dep("pypi", name)

    def js_any(self, *names: str) -> str | None:
        """Evidence of the first of `names` the package.json declares."""
        return next((ev for ev in map(self.js, names) if ev), None)

    def js_scope(self, prefix: str) -> str | None:
        """Evidence of the first declared npm package whose name starts with `prefix`."""
        return next((ev for name, ev in self.deps.get("npm", {}).items() if name.startswith(prefix)), None)
