"""The primary app of a monorepo root that is not an app itself.

A workspace root (turborepo, pnpm/yarn/npm workspaces, a uv or Cargo workspace, or just a
folder holding `frontend/` and `backend/`) only matches a generic id by itself: its
`package.json` lists tooling, or a stray `react-dom`. What the repository *is* comes from
its apps, so such a root reports the framework of its primary app; every app stays listed
in `subprojects`. Docs, example and marketing sites never count. The primary app is, in
order: not a browser-only front end (SPA) when a sibling is a server framework (Django, Rails ...), which
is how `decide` already treats a view library next to a server framework in one folder; the
one the root's `dev`/`start`/`build` scripts run; a real framework rather than a generic id;
a conventional app folder name (`web`, `app`, `frontend` ...); then SPEC order and depth.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath

from wizard_tui.detection.frameworks import BROWSER_ONLY, FALLBACKS, FRAMEWORK_ORDER, SERVERS
from wizard_tui.detection.models import Subproject
from wizard_tui.domain.walk import SOURCE_EXTENSIONS, TEST_DIRS

# Words that mark a folder whose app is documentation, a demo or a marketing page, even
# inside a longer name (`twenty-docs`, `acme-website`).
_AUX_TOKENS = frozenset(
    {
        "docs",
        "documentation",
        "website",
        "storybook",
        "examples",
        "example",
        "demo",
        "demos",
        "playground",
        "sandbox",
        "landing",
        "marketing",
        "emails",
    }
)
# Whole folder names of the same kind (short or common words count only on their own).
_AUX_PARTS = _AUX_TOKENS | {
    "doc",
    "benchmarks",
    "bench",
    "scripts",
    "tools",
    "tooling",
    "infra",
    "email",
    "email-templates",
    "templates",
    "starters",
}
# Conventional names of the product app, best first.
_PREFERRED_NAMES = (
    "web",
    "app",
    "webapp",
    "web-app",
    "frontend",
    "front",
    "client",
    "dashboard",
    "platform",
    "studio",
    "console",
    "main",
    "www",
    "site",
    "server",
    "backend",
    "api",
)
# Where a root that is an app of its own keeps its code.
_OWN_CODE_DIRS = frozenset(
    {"src", "app", "pages", "lib", "components", "routes", "cmd", "internal", "pkg", "server", "api", "public"}
)
_OWN_ENTRY_STEMS = frozenset({"main", "app", "index", "server", "manage", "wsgi", "asgi", "cli", "bot"})
# The languages a root that only matches a fallback id is written in (JavaScript, Python,
# Ruby, Go, Rust, a PHP site), and its pages.
_OWN_CODE_LANGUAGES = ("javascript", "component", "python", "ruby", "go", "rust", "php")
_SOURCE_SUFFIXES = frozenset({".html", *(ext for lang in _OWN_CODE_LANGUAGES for ext in SOURCE_EXTENSIONS[lang])})
_RUN_SCRIPTS = ("dev", "start", "build", "serve")
_SCRIPT_TARGET = re.compile(
    r"""(?<![\w-])(?:--filter|-F|--workspace|-w|--scope|--cwd|--prefix|--dir|-C|cd|workspace)[=\s]+["']?"""
    r"""\.{0,3}/?([@\w][\w@./-]*)"""
)


def root_has_own_app(root_files: Sequence[str]) -> bool:
    """True when the root holds app code of its own (so it is not only a workspace shell).

    `root_files` are the files of the root project only (not those of nested projects).
    """
    for rel in root_files:
        path = PurePosixPath(rel)
        if path.suffix.lower() not in _SOURCE_SUFFIXES:
            continue
        parts = path.parts
        if len(parts) == 1:
            if path.stem.lower() in _OWN_ENTRY_STEMS:
                return True
            continue
        top = parts[0]
        if top in _OWN_CODE_DIRS:
            return True
        # A Python package at the top level (`myapp/__init__.py`).
        if (
            len(parts) == 2
            and path.name == "__init__.py"
            and not top.startswith((".", "_"))
            and top not in _AUX_PARTS | TEST_DIRS
        ):
            return True
    return False


def script_targets(package_json: Mapping[str, object] | None) -> set[str]:
    """Workspace names and folders the root's run scripts point at (`turbo dev --filter=web`)."""
    scripts = package_json.get("scripts") if package_json else None
    if not isinstance(scripts, dict):
        return set()
    found: set[str] = set()
    for name in _RUN_SCRIPTS:
        command = scripts.get(name)
        if not isinstance(command, str):
            continue
        for m in _SCRIPT_TARGET.finditer(command[:2000]):
            target = m.group(1).rstrip(".").rstrip("/")
            if target:
                found.add(target.lower())
    return found


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[-_.]", name.lower()) if t]


def _is_aux(path: str) -> bool:
    """A docs, example or marketing folder: `docs/`, `apps/website`, `packages/twenty-docs`."""
    parts = [part.lower() for part in path.split("/")]
    return any(part in _AUX_PARTS for part in parts) or any(t in _AUX_TOKENS for t in _tokens(parts[-1]))


def _preference(path: str) -> int:
    """Rank of the folder name among conventional app names (`web`, `twenty-front` ...)."""
    base = PurePosixPath(path).name.lower()
    ranks = [_PREFERRED_NAMES.index(n) for n in (base, *_tokens(base)) if n in _PREFERRED_NAMES]
    return min(ranks, default=len(_PREFERRED_NAMES))


def _order(framework: str) -> int:
    return FRAMEWORK_ORDER.index(framework) if framework in FRAMEWORK_ORDER else len(FRAMEWORK_ORDER)


def primary_app(
    subprojects: Sequence[Subproject],
    targets: set[str],
    package_name: Callable[[str], str | None],
) -> tuple[Subproject, str] | None:
    """The subproject that stands for the repository, and why; None when there is none."""
    # Docs, examples and demos never stand for the repository.
    candidates = [s for s in subprojects if s.framework != "unknown" and not _is_aux(s.path)]
    if not candidates:
        return None

    def named(sub: Subproject) -> bool:
        if not targets:
            return False
        name = (package_name(sub.path) or "").lower()
        keys = {sub.path.lower(), PurePosixPath(sub.path).name.lower()}
        if name:
            keys |= {name, name.rsplit("/", 1)[-1]}
        return bool(keys & targets)

    def spa(sub: Subproject) -> bool:
        return sub.framework in BROWSER_ONLY or (sub.framework == "react-router" and sub.mode != "framework")

    with_server = any(s.framework in SERVERS for s in candidates)

    def key(sub: Subproject) -> tuple[int, int, int, int, int, int, str]:
        return (
            1 if with_server and spa(sub) else 0,
            0 if named(sub) else 1,
            1 if sub.framework in FALLBACKS else 0,
            _preference(sub.path),
            _order(sub.framework),
            sub.path.count("/"),
            sub.path,
        )

    ranked = sorted(candidates, key=key)
    best = ranked[0]
    if len(ranked) == 1:
        return best, "the only app"
    # Say which criterion set it apart from the runner-up.
    first, second = key(best), key(ranked[1])
    decisive = next((i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b), len(_REASONS) - 1)
    return best, f"{_REASONS[decisive]}, among {len(ranked)} apps"


_REASONS = (
    "a server framework over a browser-only front end",
    "the root's run scripts start it",
    "a framework over generic apps",
    "its folder name",
    "SPEC order",
    "the shallowest",
    "first by path",
)
