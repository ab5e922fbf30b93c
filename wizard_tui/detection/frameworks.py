"""Decide one directory's framework: SPEC §5 order, first match wins, with the evidence.

One refinement keeps "first match wins" honest on real apps: a view library (Vue, React
Router in library mode, TanStack Router, Angular) declared in the `package.json` of a
server app built in the same folder (Laravel, Rails, Django, Flask, FastAPI, a Go, Rust or
Java program), or of an Astro site, is that app's front-end asset pipeline, not the app's
framework; the host framework is matched at its own place in the order.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from wizard_tui.detection.manifests import GRADLE_BUILD, GRADLE_SETTINGS, DirInfo
from wizard_tui.domain.frameworks import FRAMEWORKS

FRAMEWORK_ORDER: tuple[str, ...] = (
    "nextjs",
    "nuxt",
    "vue",
    "react-router",
    "tanstack-start",
    "tanstack-router",
    "react-native",
    "angular",
    "astro",
    "django",
    "flask",
    "fastapi",
    "laravel",
    "sveltekit",
    "flutter",
    "kmp",
    "swift",
    "android",
    "rails",
    "elixir",
    "go",
    "rust",
    "java",
    "python",
    "ruby",
    "javascript_web",
    "javascript_node",
    "unknown",
)
FRAMEWORK_NAMES: dict[str, str] = {fid: FRAMEWORKS[fid].name for fid in FRAMEWORK_ORDER}


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
_SOURCE_EXT = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".mts")


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
        return self.info.path(name)


@dataclass
class FrameworkMatch:
    framework: str
    evidence: list[str]
    router: str | None = None
    mode: str | None = None

    @property
    def name(self) -> str:
        return FRAMEWORK_NAMES[self.framework]


# --- helpers ----------------------------------------------------------------------------


def _js_any(info: DirInfo, *names: str) -> str | None:
    for name in names:
        ev = info.js(name)
        if ev:
            return ev
    return None


def _js_scope(info: DirInfo, prefix: str) -> str | None:
    for name, ev in info.deps.get("npm", {}).items():
        if name.startswith(prefix):
            return ev
    return None


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
    info = view.info
    configs = [f for f in view.files if re.fullmatch(r"react-router\.config\.(?:[mc]?[jt]sx?)", f)]
    if configs:
        return "framework", [f"mode: framework ({view.p(configs[0])})"]
    ev = _js_any(info, "@react-router/dev", "@remix-run/dev", "@remix-run/react")
    if ev:
        return "framework", [f"mode: framework ({ev})"]
    data = declarative = None
    sources = [f for f in view.files if f.endswith(_SOURCE_EXT) and not f.startswith("public/")]
    for rel in sources[:200]:
        if time.monotonic() > view.deadline:
            break
        text = view.read(rel)
        if not text:
            continue
        if data is None and re.search(r"\bcreate(?:Browser|Hash|Memory)Router\b|<RouterProvider\b", text):
            data = rel
            break
        if declarative is None and re.search(r"<(?:BrowserRouter|HashRouter|MemoryRouter|Routes)\b", text):
            declarative = rel
    if data:
        return "data", [f"mode: data ({view.p(data)})"]
    if declarative:
        return "declarative", [f"mode: declarative ({view.p(declarative)})"]
    return None, []


def _server_host(view: ProjectView) -> str | None:
    info = view.info
    if info.dep("composer", "laravel/framework") or info.has("artisan"):
        return "Laravel"
    if info.dep("gem", "rails") or info.dep("gem", "railties") or "bin/rails" in view.file_set:
        return "Rails"
    if info.py("django") or _django_manage(view):
        return "Django"
    if info.py("flask") or info.py("fastapi"):
        return "Flask" if info.py("flask") else "FastAPI"
    # A server program built in the same folder: its templates load the bundle (gitea).
    if info.has("go.mod") and any(f == "main.go" or (f.startswith("cmd/") and f.endswith(".go")) for f in view.files):
        return "Go"
    if info.cargo is not None and "package" in info.cargo and "src/main.rs" in view.file_set:
        return "Rust"
    if (info.has("pom.xml") or any(info.has(n) for n in GRADLE_BUILD)) and any(
        f.startswith(("src/main/java/", "src/main/kotlin/")) for f in view.files
    ):
        return "Java"
    return None


def _django_manage(view: ProjectView) -> str | None:
    candidates = ["manage.py"]
    if _has_py_manifest(view.info):
        candidates += sorted(f for f in view.files if f.endswith("/manage.py") and _depth(f) == 1)
    for rel in candidates:
        if rel not in view.file_set and not view.info.has(rel):
            continue
        text = view.read(rel)
        if text and re.search(r"django", text, re.I):
            return view.p(rel)
    return None


def _has_py_manifest(info: DirInfo) -> bool:
    return (
        any(info.has(n) for n in PY_MANIFESTS)
        or any(re.fullmatch(r"requirements.*\.(?:txt|in)", n) for n in info.entries)
        or (info.has_dir("requirements") and bool(info.deps.get("pypi")))
    )


_PY_IMPORT_RE = {
    "django": re.compile(r"^\s*(?:from|import)\s+django\b", re.M),
    "flask": re.compile(r"^\s*(?:from\s+flask\s+import|import\s+flask\b)", re.M),
    "fastapi": re.compile(r"^\s*(?:from\s+fastapi\s+import|import\s+fastapi\b)", re.M),
}


def _python_entry_imports(view: ProjectView) -> dict[str, str]:
    """Which of django/flask/fastapi the usual entry files import: framework -> file."""
    deep = _has_py_manifest(view.info)
    entries = [
        f
        for f in view.files
        if f.endswith(".py")
        and PurePosixPath(f).name in PY_ENTRY_NAMES
        and (_depth(f) == 0 or (deep and _depth(f) <= 2))
    ]
    entries.sort(key=lambda f: (_depth(f), f))
    found: dict[str, str] = {}
    for rel in entries[:40]:
        if time.monotonic() > view.deadline:
            break
        text = view.read(rel)
        if not text:
            continue
        for fw, pattern in _PY_IMPORT_RE.items():
            if fw not in found and pattern.search(text):
                found[fw] = view.p(rel)
    return found


def _gradle_marker(info: DirInfo, markers: tuple[str, ...], *, build_scripts_only: bool = False) -> str | None:
    suffixes = (".gradle", ".kts") if build_scripts_only else (".gradle", ".kts", ".toml")
    for rel, text in sorted(info.texts.items()):
        if not rel.endswith(suffixes):
            continue
        for marker in markers:
            if marker in text:
                return f"{rel}: {marker}"
    return None


def _has_gradle(info: DirInfo) -> bool:
    return any(info.has(n) for n in (*GRADLE_BUILD, *GRADLE_SETTINGS))


# --- the ordered rules --------------------------------------------------------------------


def decide(view: ProjectView) -> FrameworkMatch:
    info = view.info
    pkg = info.package_json
    host = _server_host(view)
    astro = info.js("astro")
    rn_only = bool(info.js("react-native") or info.js("expo")) and not info.js("react-dom")
    notes: list[str] = []

    def hosted(fw_name: str, ev: str) -> list[str] | None:
        """Evidence for a view library, or None (with a note) when a host framework owns it."""
        if host:
            notes.append(f"{ev}: {fw_name} is the front end of the {host} app")
            return None
        if astro:
            notes.append(f"{ev}: {fw_name} is used inside the Astro site")
            return None
        return [ev]

    def done(fw: str, evidence: list[str], router: str | None = None, mode: str | None = None) -> FrameworkMatch:
        return FrameworkMatch(fw, evidence + notes, router, mode)

    if pkg is not None:
        ev = info.js("next")
        if ev:
            router, rev = nextjs_router(view)
            return done("nextjs", [ev, *rev], router=router)
        ev = _js_any(info, "nuxt", "nuxt3", "nuxt-edge")
        if ev:
            return done("nuxt", [ev])
        ev = info.js("vue")
        if ev and (kept := hosted("Vue", ev)):
            return done("vue", kept)
        ev = _js_any(info, "react-router", "react-router-dom", "@react-router/dev", "@remix-run/react")
        if ev is None:
            ev = _js_scope(info, "@react-router/") or _js_scope(info, "@remix-run/")
        if ev and not rn_only:
            mode, mev = react_router_mode(view)
            kept = [ev] if mode == "framework" else hosted("React Router", ev)
            if kept:
                return done("react-router", [*kept, *mev], mode=mode)
        ev = _js_any(
            info,
            "@tanstack/react-start",
            "@tanstack/start",
            "@tanstack/solid-start",
            "@tanstack/vue-start",
        )
        if ev:
            return done("tanstack-start", [ev])
        ev = _js_any(
            info,
            "@tanstack/react-router",
            "@tanstack/router",
            "@tanstack/solid-router",
            "@tanstack/vue-router",
        )
        if ev and not rn_only and (kept := hosted("TanStack Router", ev)):
            return done("tanstack-router", kept)
        ev = _js_any(info, "react-native", "expo")
        if ev:
            expo = info.js("expo")
            return done(
                "react-native",
                [ev, *([expo] if expo and expo != ev else [])],
                mode="expo" if expo else "bare",
            )
        ev = info.js("@angular/core")
        if ev and (kept := hosted("Angular", ev)):
            return done("angular", kept)
        if astro:
            return done("astro", [astro])

    # Python web frameworks: declared dependency, manage.py, or an import in an entry file.
    imports = _python_entry_imports(view)
    ev = info.py("django") or _django_manage(view)
    if ev or "django" in imports:
        return done("django", [ev or f"{imports['django']}: imports django"])
    ev = info.py("flask")
    if ev or "flask" in imports:
        return done("flask", [ev or f"{imports['flask']}: imports flask"])
    ev = info.py("fastapi")
    if ev or "fastapi" in imports:
        return done("fastapi", [ev or f"{imports['fastapi']}: imports fastapi"])

    ev = info.dep("composer", "laravel/framework")
    if ev or info.has("artisan"):
        return done("laravel", [ev or view.p("artisan")])
    if pkg is not None:
        ev = info.js("@sveltejs/kit")
        if ev:
            return done("sveltekit", [ev])

    if info.has("pubspec.yaml"):
        text = info.texts.get(view.p("pubspec.yaml"), "")
        ev = info.dep("pub", "flutter")
        if ev or re.search(r"^flutter\s*:", text, re.M):
            return done("flutter", [ev or f"{view.p('pubspec.yaml')}: flutter"])

    # KMP: the multiplatform plugin applied in a build script (a version catalog merely listing
    # it does not count), or a commonMain source set.
    kmp = _gradle_marker(
        info,
        (
            'kotlin("multiplatform")',
            "org.jetbrains.kotlin.multiplatform",
            "kotlin-multiplatform",
            "kotlinMultiplatform",
            "plugins.kotlin.multiplatform",
        ),
        build_scripts_only=True,
    )
    if kmp is None:
        common = next((f for f in view.files if re.match(r"(?:[^/]+/)?src/commonMain/", f)), None)
        if common:
            kmp = f"{view.p(common)} (commonMain source set)"
    if kmp:
        return done("kmp", [kmp])

    xcode = sorted(n for n, d in info.entries.items() if d and n.endswith((".xcodeproj", ".xcworkspace")))
    if info.has("Package.swift") or xcode:
        return done("swift", [view.p("Package.swift") if info.has("Package.swift") else view.p(xcode[0])])

    if info.has("AndroidManifest.xml"):
        return done("android", [view.p("AndroidManifest.xml")])
    if _has_gradle(info):
        ev = _gradle_marker(
            info,
            ("com.android.application", "com.android.library", "plugins.android.application", "androidApplication"),
        )
        if ev is None:
            manifest = next(
                (f for f in view.files if f.endswith("/AndroidManifest.xml") and _depth(f) <= 4),
                None,
            )
            ev = view.p(manifest) if manifest else None
        if ev:
            return done("android", [ev])

    ev = info.dep("gem", "rails") or info.dep("gem", "railties")
    if ev or "bin/rails" in view.file_set:
        return done("rails", [ev or view.p("bin/rails")])
    if info.has("mix.exs"):
        return done("elixir", [view.p("mix.exs")])
    if info.has("go.mod"):
        return done("go", [view.p("go.mod")])
    if info.has("Cargo.toml"):
        return done("rust", [view.p("Cargo.toml")])
    if info.has("pom.xml"):
        return done("java", [view.p("pom.xml")])
    if _has_gradle(info):
        name = next(n for n in (*GRADLE_BUILD, *GRADLE_SETTINGS) if info.has(n))
        return done("java", [view.p(name)])

    if _has_py_manifest(info):
        names = [n for n in sorted(info.entries) if n in PY_MANIFESTS or n.startswith("requirements")]
        return done("python", [view.p(names[0]) if names else view.p("requirements/")])
    root_py = sorted(f for f in view.files if _depth(f) == 0 and f.endswith(".py"))
    if root_py and pkg is None and not info.has("Gemfile") and not info.has("index.html"):
        return done("python", [f"{view.p(root_py[0])} (Python source, no manifest)"])

    if info.has("Gemfile") or info.has("config.ru") or any(n.endswith(".gemspec") for n in info.entries):
        name = next(n for n in sorted(info.entries) if n in ("Gemfile", "config.ru") or n.endswith(".gemspec"))
        return done("ruby", [view.p(name)])

    web = _javascript_web(view)
    if web:
        return done("javascript_web", web)
    if pkg is not None:
        return done("javascript_node", [view.p("package.json")])
    return done("unknown", [])


def _index_html(view: ProjectView) -> str | None:
    for rel in ("index.html", "public/index.html", "src/index.html"):
        if rel in view.file_set or (rel == "index.html" and view.info.has(rel)):
            return rel
    return None


def _javascript_web(view: ProjectView) -> list[str] | None:
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
