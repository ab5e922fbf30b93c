"""The walked tree of a project: which directories are projects, and which of them are apps.

A directory holding a project manifest (PROJECT_MARKERS, a requirements file or an Xcode
project) is a project of its own; each walked file belongs to the nearest one above it.
The candidates for sub-projects are those directories, shallow first, outside test folders
and hidden ones; a candidate is a sub-project when its framework makes it an app and it is
not part of another app (a native shell of a cross-platform app, anything inside a mobile
app, a Gradle module of a build above it).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from wizard_tui.detection.dirinfo import DirInfo
from wizard_tui.detection.frameworks import MOBILE, FrameworkMatch, decide, is_app
from wizard_tui.detection.fsread import SOURCE_CAP, read_text
from wizard_tui.detection.manifests import GRADLE_BUILD, GRADLE_SETTINGS, read_dir
from wizard_tui.detection.models import Subproject
from wizard_tui.detection.package_manager import package_manager
from wizard_tui.detection.probes import ProjectView
from wizard_tui.domain.walk import TEST_DIRS

# Files that make a directory a project of its own (besides requirements*.txt and an Xcode project).
PROJECT_MARKERS = frozenset(
    {
        "package.json",
        "pyproject.toml",
        "setup.py",
        "Pipfile",
        "manage.py",
        "composer.json",
        "Gemfile",
        "mix.exs",
        "go.mod",
        "Cargo.toml",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "settings.gradle",
        "settings.gradle.kts",
        "pubspec.yaml",
        "Package.swift",
        "artisan",
    }
)
_REQUIREMENTS_TXT = re.compile(r"requirements.*\.txt")
_XCODE = "project.pbxproj"
SUBPROJECT_MAX_DEPTH = 3
MAX_SUBPROJECTS = 50
MAX_CANDIDATES = 200
# Native shells of a cross-platform app (React Native, Flutter, Capacitor, KMP).
_PLATFORM_DIRS = frozenset({"android", "ios", "macos", "windows", "linux", "web", "tvos", "watchos"})
_CROSS_PLATFORM_PACKAGES = ("react-native", "expo", "nativescript", "cordova", "electron", "react-native-windows")


def _parent(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if "/" in rel else ""


def _marker(path: str) -> tuple[str, str] | None:
    """(directory, marker name) when the file at `path` makes its directory a project."""
    parent, _, name = path.rpartition("/")
    if name in PROJECT_MARKERS or _REQUIREMENTS_TXT.fullmatch(name):
        return parent, name
    if name == _XCODE and parent.endswith(".xcodeproj"):
        return _parent(parent), _XCODE
    return None


def _project_dirs(files: list[str]) -> set[str]:
    """Directories below the root that hold a project manifest of their own.

    A Gradle module (a build file without settings) is part of its parent's build, not a
    project of its own.
    """
    names: dict[str, set[str]] = {}
    for f in files:
        marker = _marker(f)
        if marker is not None and marker[0]:
            names.setdefault(marker[0], set()).add(marker[1])
    return {d for d, found in names.items() if not found <= {*GRADLE_BUILD}}


def candidate_dirs(files: list[str]) -> list[str]:
    """Project directories that may be sub-projects: shallow first, no test or hidden folders."""
    found: set[str] = set()
    for f in files:
        marker = _marker(f)
        if marker is None or not marker[0] or marker[0].count("/") >= SUBPROJECT_MAX_DEPTH:
            continue
        if any(part in TEST_DIRS or part.startswith(".") for part in marker[0].split("/")):
            continue
        found.add(marker[0])
    return sorted(found, key=lambda d: (d.count("/"), d))[:MAX_CANDIDATES]


@dataclass
class ProjectTree:
    """The walked files of a project, its project directories, and their manifests (read when first asked)."""

    root: Path
    files: list[str]
    deadline: float
    infos: dict[str, DirInfo] = field(default_factory=dict)
    project_dirs: set[str] = field(default_factory=set)
    _under: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.project_dirs = _project_dirs(self.files)
        # Each file belongs to the nearest project directory above it (or to the root).
        for f in self.files:
            parts = f.split("/")
            owner = ""
            for i in range(len(parts) - 1, 0, -1):
                d = "/".join(parts[:i])
                if d in self.project_dirs:
                    owner = d
                    break
            self._under.setdefault(owner, []).append(f[len(owner) + 1 :] if owner else f)

    def info(self, rel: str) -> DirInfo:
        if rel not in self.infos:
            self.infos[rel] = read_dir(self.root, rel)
        return self.infos[rel]

    def under(self, rel: str) -> list[str]:
        """Files of the project at `rel`, relative to it: not those of projects nested in it."""
        if rel in self.project_dirs or not rel:
            return self._under.get(rel, [])
        # Not a project directory itself (a Gradle module): the files its owner holds below it.
        parts = rel.split("/")
        owner = next(
            ("/".join(parts[:i]) for i in range(len(parts) - 1, 0, -1) if "/".join(parts[:i]) in self.project_dirs),
            "",
        )
        prefix = (rel[len(owner) + 1 :] if owner else rel) + "/"
        return [f[len(prefix) :] for f in self._under.get(owner, []) if f.startswith(prefix)]

    def view(self, rel: str) -> ProjectView:
        root = self.root

        def read(name: str) -> str | None:
            return read_text(root, f"{rel}/{name}" if rel else name, SOURCE_CAP)

        return ProjectView(self.info(rel), self.under(rel), read, self.deadline)

    def package_name(self, rel: str) -> str | None:
        name = (self.info(rel).package_json or {}).get("name")
        return name if isinstance(name, str) else None

    def chain(self, rel: str) -> list[DirInfo]:
        """The directory's info, then each parent's up to the root."""
        out = [self.info(rel)]
        parts = rel.split("/") if rel else []
        for i in range(len(parts) - 1, -1, -1):
            out.append(self.info("/".join(parts[:i])))
        return out


def _native_shell(rel: str, parent: DirInfo) -> bool:
    """`android/`, `ios/`, `web/` ... of a cross-platform app (Flutter, React Native, Capacitor).

    A `web/` or `android/` folder beside a mere workspace `package.json` is an app of its own.
    """
    if PurePosixPath(rel).name not in _PLATFORM_DIRS:
        return False
    if parent.has("pubspec.yaml"):
        return True
    return any(parent.js(n) for n in _CROSS_PLATFORM_PACKAGES) or (
        parent.js_scope("@capacitor/") is not None or parent.js_scope("@nativescript/") is not None
    )


def _gradle_module(tree: ProjectTree, rel: str, info: DirInfo) -> bool:
    """A Gradle module of a build rooted in a parent (it has no settings.gradle of its own)."""
    if not info.has_any(*GRADLE_BUILD) or info.has_any(*GRADLE_SETTINGS):
        return False
    return any(p.has_any(*GRADLE_SETTINGS) for p in tree.chain(rel)[1:])


def subprojects(tree: ProjectTree, root_match: FrameworkMatch, candidates: list[str]) -> tuple[list[Subproject], bool]:
    """The apps among the candidate directories, in order; True when the time budget cut the list."""
    accepted: dict[str, str] = {"": root_match.framework}
    out: list[Subproject] = []
    for rel in candidates:
        if time.monotonic() > tree.deadline:
            return out, True
        if len(out) >= MAX_SUBPROJECTS:
            break
        if _native_shell(rel, tree.info(_parent(rel))):
            continue
        # Everything inside a mobile app belongs to it; at the root only a KMP build owns all.
        ancestors = [rel.rsplit("/", i)[0] for i in range(1, rel.count("/") + 1)]
        if any(accepted.get(a) in MOBILE for a in ancestors) or root_match.framework == "kmp":
            continue
        info = tree.info(rel)
        if _gradle_module(tree, rel, info):
            continue
        view = tree.view(rel)
        match = decide(view)
        if not is_app(match, view):
            continue
        accepted[rel] = match.framework
        pm, _ = package_manager(match.framework, tree.chain(rel))
        out.append(
            Subproject(
                path=rel,
                framework=match.framework,
                name=match.name,
                package_manager=pm,
                router=match.router,
                mode=match.mode,
            )
        )
    return out, False
