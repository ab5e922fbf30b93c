"""What a directory's files say, for the framework rules: one directory seen as a project.

The rules in `frameworks.py` ask these questions: which Next.js router, which React Router
mode, which Python web framework the entry files import, which build-script markers are
set, whether a folder is a static site or a bundled front end. Each reads at most a few
files, through the view, and never past its deadline.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from wizard_tui.detection.dirinfo import DirInfo
from wizard_tui.detection.manifests import GRADLE_BUILD, GRADLE_FILES, REQUIREMENTS
from wizard_tui.domain.walk import SOURCE_EXTENSIONS

PY_ENTRY_NAMES = frozenset(
    {
        "app.py",
        "main.py",
        "wsgi.py",
        "asgi.py",
        "server.py",
        "application.py",
        "run.py",
        "api.py",
        "__init__.py",
        "__main__.py",
        "settings.py",
        "manage.py",
    }
)
PY_MANIFESTS = ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile")
BUNDLERS = frozenset(
    {
        "vite",
        "webpack",
        "parcel",
        "parcel-bundler",
        "react-scripts",
        "snowpack",
        "@rsbuild/core",
        "@rspack/core",
        "gatsby",
        "@11ty/eleventy",
        "@docusaurus/core",
        "vitepress",
        "vuepress",
    }
)
LIB_BUNDLERS = frozenset({"rollup", "esbuild", "browserify", "rolldown"})
UI_LIBS = frozenset(
    {
        "react-dom",
        "preact",
        "solid-js",
        "svelte",
        "lit",
        "@builder.io/qwik",
        "ember-source",
        "alpinejs",
        "jquery",
        "htmx.org",
        "@hotwired/stimulus",
        "@hotwired/turbo",
        "three",
        "phaser",
    }
)
SERVER_PACKAGES = frozenset(
    {
        "express",
        "fastify",
        "koa",
        "@nestjs/core",
        "@hapi/hapi",
        "hapi",
        "restify",
        "h3",
        "hono",
        "@adonisjs/core",
        "sails",
        "@feathersjs/feathers",
        "moleculer",
        "@trpc/server",
        "elysia",
    }
)
_SCRIPT_EXT = SOURCE_EXTENSIONS["javascript"]  # where React Router is set up


@dataclass
class ProjectView:
    """One directory seen as a project: its manifests and the walked files under it."""

    info: DirInfo
    files: list[str]  # walked files under the directory, relative to it
    read: Callable[[str], str | None]  # read a file relative to the directory
    deadline: float = float("inf")
    _file_set: set[str] | None = field(default=None, repr=False)

    @property
    def file_set(self) -> set[str]:
        if self._file_set is None:
            self._file_set = set(self.files)
        return self._file_set

    def p(self, name: str) -> str:
        """`name` as a path from the walk's root, for evidence."""
        return self.info.path(name)

    def texts(self, rels: Iterable[str]) -> Iterator[tuple[str, str]]:
        """(path, text) of each of `rels` that has text, in order, until the deadline passes."""
        for rel in rels:
            if time.monotonic() > self.deadline:
                return
            text = self.read(rel)
            if text:
                yield rel, text


def _depth(path: str) -> int:
    return path.count("/")


def nextjs_router(view: ProjectView) -> tuple[str | None, list[str]]:
    """`app` for App Router, `pages` for Pages Router, None when both or neither."""
    app = [f for f in view.files if re.fullmatch(r"(?:src/)?app/(?:.+/)?layout\.(?:js|jsx|ts|tsx)", f)]
    pages = [
        # `_app.page.tsx` where next.config sets `pageExtensions: ["page.tsx", ...]`.
        f
        for f in view.files
        if re.fullmatch(r"(?:src/)?pages/(?:_app|_document|index)(?:\.page)?\.(?:js|jsx|ts|tsx|mdx)", f)
    ]
    app.sort(key=lambda f: (_depth(f), f))
    pages.sort(key=lambda f: (0 if "/_app." in f else 1, f))
    if app and pages:
        return None, [f"router: both {view.p(app[0])} and {view.p(pages[0])} (mixed, null)"]
    if app:
        return "app", [f"router: app ({view.p(app[0])})"]
    if pages:
        return "pages", [f"router: pages ({view.p(pages[0])})"]
    return None, ["router: neither app/**/layout.* nor pages/_app.* found"]


def react_router_mode(view: ProjectView) -> tuple[str | None, list[str]]:
    """`framework`, `data` or `declarative`, from the config, the packages, then the sources."""
    info = view.info
    configs = [f for f in view.files if re.fullmatch(r"react-router\.config\.(?:[mc]?[jt]sx?)", f)]
    if configs:
        return "framework", [f"mode: framework ({view.p(configs[0])})"]
    ev = info.js_any("@react-router/dev", "@remix-run/dev", "@remix-run/react")
    if ev:
        return "framework", [f"mode: framework ({ev})"]
    data = declarative = None
    sources = [f for f in view.files if f.endswith(_SCRIPT_EXT) and not f.startswith("public/")]
    for rel, text in view.texts(sources[:200]):
        if re.search(r"\bcreate(?:Browser|Hash|Memory)Router\b|<RouterProvider\b", text):
            data = rel
            break
        if declarative is None and re.search(r"<(?:BrowserRouter|HashRouter|MemoryRouter|Routes)\b", text):
            declarative = rel
    if data:
        return "data", [f"mode: data ({view.p(data)})"]
    if declarative:
        return "declarative", [f"mode: declarative ({view.p(declarative)})"]
    return None, []


def server_host(view: ProjectView) -> str | None:
    """The server framework or program built in the same folder, whose front end a view library is."""
    info = view.info
    if info.dep("composer", "laravel/framework") or info.has("artisan"):
        return "Laravel"
    if info.dep("gem", "rails") or info.dep("gem", "railties") or "bin/rails" in view.file_set:
        return "Rails"
    if info.py("django") or django_manage(view):
        return "Django"
    if info.py("flask") or info.py("fastapi"):
        return "Flask" if info.py("flask") else "FastAPI"
    # A server program built in the same folder: its templates load the bundle (gitea).
    if info.has("go.mod") and any(f == "main.go" or (f.startswith("cmd/") and f.endswith(".go")) for f in view.files):
        return "Go"
    if info.cargo is not None and "package" in info.cargo and "src/main.rs" in view.file_set:
        return "Rust"
    if (info.has("pom.xml") or info.has_any(*GRADLE_BUILD)) and any(
        f.startswith(("src/main/java/", "src/main/kotlin/")) for f in view.files
    ):
        return "Java"
    return None


def django_manage(view: ProjectView) -> str | None:
    """A `manage.py` that mentions Django, at the top or (with a Python manifest) one level down."""
    candidates = ["manage.py"]
    if has_py_manifest(view.info):
        candidates += sorted(f for f in view.files if f.endswith("/manage.py") and _depth(f) == 1)
    for rel in candidates:
        if rel not in view.file_set and not view.info.has(rel):
            continue
        text = view.read(rel)
        if text and re.search(r"django", text, re.I):
            return view.p(rel)
    return None


def has_py_manifest(info: DirInfo) -> bool:
    return (
        info.has_any(*PY_MANIFESTS)
        or any(REQUIREMENTS.fullmatch(n) for n in info.entries)
        or (info.has_dir("requirements") and bool(info.deps.get("pypi")))
    )


def py_manifest(view: ProjectView) -> str:
    """The Python manifest to name as evidence (the first, by name)."""
    names = [n for n in sorted(view.info.entries) if n in PY_MANIFESTS or n.startswith("requirements")]
    return view.p(names[0]) if names else view.p("requirements/")


_PY_IMPORT_RE = {
    "django": re.compile(r"^\s*(?:from|import)\s+django\b", re.M),
    "flask": re.compile(r"^\s*(?:from\s+flask\s+import|import\s+flask\b)", re.M),
    "fastapi": re.compile(r"^\s*(?:from\s+fastapi\s+import|import\s+fastapi\b)", re.M),
}


def python_entry_imports(view: ProjectView) -> dict[str, str]:
    """Which of django/flask/fastapi the usual entry files import: framework -> file."""
    deep = has_py_manifest(view.info)
    entries = [
        f
        for f in view.files
        if f.endswith(".py")
        and PurePosixPath(f).name in PY_ENTRY_NAMES
        and (_depth(f) == 0 or (deep and _depth(f) <= 2))
    ]
    entries.sort(key=lambda f: (_depth(f), f))
    found: dict[str, str] = {}
    for rel, text in view.texts(entries[:40]):
        for fw, pattern in _PY_IMPORT_RE.items():
            if fw not in found and pattern.search(text):
                found[fw] = view.p(rel)
    return found


def gradle_marker(info: DirInfo, markers: tuple[str, ...], *, build_scripts_only: bool = False) -> str | None:
    """`file: marker` for the first marker a Gradle build script (or version catalog) mentions."""
    suffixes = (".gradle", ".kts") if build_scripts_only else (".gradle", ".kts", ".toml")
    for rel, text in sorted(info.texts.items()):
        if not rel.endswith(suffixes):
            continue
        for marker in markers:
            if marker in text:
                return f"{rel}: {marker}"
    return None


def has_gradle(info: DirInfo) -> bool:
    return info.has_any(*GRADLE_FILES)


def _index_html(view: ProjectView) -> str | None:
    for rel in ("index.html", "public/index.html", "src/index.html"):
        if rel in view.file_set or (rel == "index.html" and view.info.has(rel)):
            return rel
    return None


def javascript_web(view: ProjectView) -> list[str] | None:
    """Evidence of a browser app with no framework (a page, a bundler, a UI library), or None."""
    info = view.info
    index = _index_html(view)
    if info.package_json is None:
        return [f"{view.p(index)} (static site)"] if index == "index.html" else None
    deps = info.deps.get("npm", {})
    runtime = set(_as_str_dict(info.package_json.get("dependencies")))
    server = sorted(SERVER_PACKAGES & runtime)
    bundler = sorted(BUNDLERS & deps.keys()) + sorted(n for n in deps if n.startswith("@vitejs/"))
    ui = sorted(UI_LIBS & deps.keys())
    lib_bundler = sorted(LIB_BUNDLERS & deps.keys())
    if index:
        return [f"{view.p(index)}", *(deps[b] for b in bundler[:1])]
    if server:
        return None  # serves requests: Node.js
    engines = info.package_json.get("engines")
    if "bin" in info.package_json or (isinstance(engines, dict) and "vscode" in engines):
        return None  # a CLI or an editor extension, whatever bundles it: Node.js
    if bundler:
        return [deps[bundler[0]]]
    if ui:
        return [deps[ui[0]], *(deps[b] for b in lib_bundler[:1])]
    return None


def _as_str_dict(value: object) -> dict[str, object]:
    return {k: v for k, v in value.items() if isinstance(k, str)} if isinstance(value, dict) else {}


# --- is a fallback directory an app? -------------------------------------------------------------
# A directory of a monorepo that only matches a fallback id is often a library, a tool or
# docs tooling; these say when it is an app of its own.


def _run_script(view: ProjectView) -> bool:
    scripts = (view.info.package_json or {}).get("scripts")
    return isinstance(scripts, dict) and any(s in scripts for s in ("start", "dev", "serve", "preview"))


def _library(view: ProjectView) -> bool:
    pkg = view.info.package_json or {}
    return any(k in pkg for k in ("main", "module", "exports", "types", "typings"))


def web_app(view: ProjectView) -> bool:
    return _run_script(view) or not _library(view) or "index.html" in view.file_set


def node_app(view: ProjectView) -> bool:
    # A workspace package exporting a tRPC router or an Express app is a library, not an app.
    deps = (view.info.package_json or {}).get("dependencies")
    return _run_script(view) or (not _library(view) and isinstance(deps, dict) and bool(SERVER_PACKAGES & deps.keys()))


_PY_APP_ENTRIES = frozenset({"main.py", "app.py", "manage.py", "server.py", "wsgi.py", "asgi.py", "__main__.py"})


def python_app(view: ProjectView) -> bool:
    # A requirements.txt alone is often docs tooling (docs/requirements.txt), not an app.
    return (
        any(f.count("/") <= 1 and PurePosixPath(f).name in _PY_APP_ENTRIES for f in view.files)
        or view.info.has("Dockerfile")
        or view.info.has("Procfile")
    )


def go_app(view: ProjectView) -> bool:
    return "main.go" in view.file_set or any(f.startswith("cmd/") for f in view.files)


def rust_app(view: ProjectView) -> bool:
    return "src/main.rs" in view.file_set or any(f.startswith("src/bin/") for f in view.files)


def ruby_app(view: ProjectView) -> bool:
    return view.info.has("config.ru") or not any(n.endswith(".gemspec") for n in view.info.entries)
