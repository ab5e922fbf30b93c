"""Decide one directory's framework: the rule list in SPEC §5 order, first match wins.

`RULES` holds one rule per framework id, in the order they are tried, and what detection
knows of each id besides (a fallback that is an app only under conditions, a server
framework, a browser-only front end, a mobile app). `FRAMEWORK_ORDER` is read off it;
names come from the domain's framework records.

One refinement keeps "first match wins" honest on real apps: a view library (Vue, React
Router in library mode, TanStack Router, Angular) declared in the `package.json` of a
server app built in the same folder (Laravel, Rails, Django, Flask, FastAPI, a Go, Rust or
Java program), or of an Astro site, is that app's front-end asset pipeline, not the app's
framework; the host framework is matched at its own place in the order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from wizard_tui.detection.manifests import GRADLE_FILES
from wizard_tui.detection.probes import (
    ProjectView,
    django_manage,
    go_app,
    gradle_marker,
    has_gradle,
    has_py_manifest,
    javascript_web,
    nextjs_router,
    node_app,
    py_manifest,
    python_app,
    python_entry_imports,
    react_router_mode,
    ruby_app,
    rust_app,
    server_host,
    web_app,
)
from wizard_tui.domain.frameworks import FRAMEWORKS


@dataclass
class FrameworkMatch:
    framework: str
    evidence: list[str]
    router: str | None = None
    mode: str | None = None

    @property
    def name(self) -> str:
        return FRAMEWORKS[self.framework].name


@dataclass
class Found:
    """What a rule saw: its evidence, and the router or mode where the framework has one."""

    evidence: list[str]
    router: str | None = None
    mode: str | None = None


class Facts:
    """The view a rule reads, with the facts several rules share, each worked out once when asked."""

    def __init__(self, view: ProjectView) -> None:
        self.view = view
        self.info = view.info
        self.notes: list[str] = []  # why a view library was passed over, added to the final evidence

    @cached_property
    def host(self) -> str | None:
        return server_host(self.view)

    @cached_property
    def react_native_only(self) -> bool:
        return bool(self.info.js("react-native") or self.info.js("expo")) and not self.info.js("react-dom")

    @cached_property
    def python_imports(self) -> dict[str, str]:
        return python_entry_imports(self.view)

    def hosted(self, library: str, ev: str | None) -> list[str] | None:
        """Evidence for a view library, or None (with a note) when absent or a host framework owns it."""
        if ev is None:
            return None
        if self.host:
            self.notes.append(f"{ev}: {library} is the front end of the {self.host} app")
            return None
        if self.info.js("astro"):
            self.notes.append(f"{ev}: {library} is used inside the Astro site")
            return None
        return [ev]


Match = Callable[[Facts], Found | None]


@dataclass(frozen=True)
class Rule:
    """One framework id: how a directory matches it, and what else detection knows of the id."""

    id: str
    match: Match
    # A fallback id (a language or runtime, no framework): when such a directory is an app.
    fallback_app: Callable[[ProjectView], bool] | None = None
    server: bool = False  # a server framework, which a browser-only sibling is the front end of
    browser_only: bool = False  # a single-page front end with no server of its own
    mobile: bool = False  # a mobile app: every folder inside it is part of it


# --- matchers ------------------------------------------------------------------------------------


def _found(ev: str | list[str] | None) -> Found | None:
    if not ev:
        return None
    return Found([ev] if isinstance(ev, str) else ev)


def _npm(*names: str) -> Match:
    """The first of `names` the package.json declares."""
    return lambda f: _found(f.info.js_any(*names))


def _view_library(library: str, names: tuple[str, ...], *, web_only: bool = False) -> Match:
    """A view library, unless a host framework in the same folder owns it.

    `web_only`: not in a React Native app, where the library routes native screens.
    """

    def match(f: Facts) -> Found | None:
        ev = f.info.js_any(*names)
        if ev and web_only and f.react_native_only:
            return None
        return _found(f.hosted(library, ev))

    return match


def _file(name: str) -> Match:
    """A manifest file of the directory itself."""
    return lambda f: Found([f.view.p(name)]) if f.info.has(name) else None


def _nextjs(f: Facts) -> Found | None:
    ev = f.info.js("next")
    if not ev:
        return None
    router, router_evidence = nextjs_router(f.view)
    return Found([ev, *router_evidence], router=router)


def _react_router(f: Facts) -> Found | None:
    info = f.info
    ev = (
        info.js_any("react-router", "react-router-dom", "@react-router/dev", "@remix-run/react")
        or info.js_scope("@react-router/")
        or info.js_scope("@remix-run/")
    )
    if not ev or f.react_native_only:
        return None
    mode, mode_evidence = react_router_mode(f.view)
    kept = [ev] if mode == "framework" else f.hosted("React Router", ev)
    return Found([*kept, *mode_evidence], mode=mode) if kept else None


def _react_native(f: Facts) -> Found | None:
    ev = f.info.js_any("react-native", "expo")
    if not ev:
        return None
    expo = f.info.js("expo")
    return Found([ev, *([expo] if expo and expo != ev else [])], mode="expo" if expo else "bare")


def _python_web(name: str) -> Match:
    """Declared (or, for Django, a manage.py), or imported by one of the usual entry files."""

    def match(f: Facts) -> Found | None:
        ev = f.info.py(name) or (django_manage(f.view) if name == "django" else None)
        if ev:
            return Found([ev])
        imported = f.python_imports.get(name)
        return Found([f"{imported}: imports {name}"]) if imported else None

    return match


def _laravel(f: Facts) -> Found | None:
    ev = f.info.dep("composer", "laravel/framework")
    return _found(ev or (f.view.p("artisan") if f.info.has("artisan") else None))


def _flutter(f: Facts) -> Found | None:
    if not f.info.has("pubspec.yaml"):
        return None
    pubspec = f.view.p("pubspec.yaml")
    ev = f.info.dep("pub", "flutter")
    if ev or re.search(r"^flutter\s*:", f.info.texts.get(pubspec, ""), re.M):
        return Found([ev or f"{pubspec}: flutter"])
    return None


_KMP_PLUGINS = (
    'kotlin("multiplatform")',
    "org.jetbrains.kotlin.multiplatform",
    "kotlin-multiplatform",
    "kotlinMultiplatform",
    "plugins.kotlin.multiplatform",
)
_ANDROID_PLUGINS = (
    "com.android.application",
    "com.android.library",
    "plugins.android.application",
    "androidApplication",
)


def _kmp(f: Facts) -> Found | None:
    # The multiplatform plugin applied in a build script (a version catalog merely listing it
    # does not count), or a commonMain source set.
    ev = gradle_marker(f.info, _KMP_PLUGINS, build_scripts_only=True)
    if ev is None:
        common = next((p for p in f.view.files if re.match(r"(?:[^/]+/)?src/commonMain/", p)), None)
        ev = f"{f.view.p(common)} (commonMain source set)" if common else None
    return _found(ev)


def _swift(f: Facts) -> Found | None:
    if f.info.has("Package.swift"):
        return Found([f.view.p("Package.swift")])
    xcode = sorted(n for n, d in f.info.entries.items() if d and n.endswith((".xcodeproj", ".xcworkspace")))
    return Found([f.view.p(xcode[0])]) if xcode else None


def _android(f: Facts) -> Found | None:
    if f.info.has("AndroidManifest.xml"):
        return Found([f.view.p("AndroidManifest.xml")])
    if not has_gradle(f.info):
        return None
    ev = gradle_marker(f.info, _ANDROID_PLUGINS)
    if ev is None:
        manifest = next((p for p in f.view.files if p.endswith("/AndroidManifest.xml") and p.count("/") <= 4), None)
        ev = f.view.p(manifest) if manifest else None
    return _found(ev)


def _rails(f: Facts) -> Found | None:
    ev = f.info.dep("gem", "rails") or f.info.dep("gem", "railties")
    return _found(ev or (f.view.p("bin/rails") if "bin/rails" in f.view.file_set else None))


def _java(f: Facts) -> Found | None:
    name = f.info.first("pom.xml", *GRADLE_FILES)
    return Found([f.view.p(name)]) if name else None


def _python(f: Facts) -> Found | None:
    if has_py_manifest(f.info):
        return Found([py_manifest(f.view)])
    info = f.info
    root_py = sorted(p for p in f.view.files if "/" not in p and p.endswith(".py"))
    if root_py and info.package_json is None and not info.has("Gemfile") and not info.has("index.html"):
        return Found([f"{f.view.p(root_py[0])} (Python source, no manifest)"])
    return None


def _ruby(f: Facts) -> Found | None:
    info = f.info
    if not (info.has("Gemfile") or info.has("config.ru") or any(n.endswith(".gemspec") for n in info.entries)):
        return None
    name = next(n for n in sorted(info.entries) if n in ("Gemfile", "config.ru") or n.endswith(".gemspec"))
    return Found([f.view.p(name)])


def _node(f: Facts) -> Found | None:
    return Found([f.view.p("package.json")]) if f.info.package_json is not None else None


# --- the rules, in SPEC §5 order -------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule("nextjs", _nextjs),
    Rule("nuxt", _npm("nuxt", "nuxt3", "nuxt-edge")),
    Rule("vue", _view_library("Vue", ("vue",)), browser_only=True),
    Rule("react-router", _react_router),
    Rule(
        "tanstack-start",
        _npm("@tanstack/react-start", "@tanstack/start", "@tanstack/solid-start", "@tanstack/vue-start"),
    ),
    Rule(
        "tanstack-router",
        _view_library(
            "TanStack Router",
            ("@tanstack/react-router", "@tanstack/router", "@tanstack/solid-router", "@tanstack/vue-router"),
            web_only=True,
        ),
        browser_only=True,
    ),
    Rule("react-native", _react_native, mobile=True),
    Rule("angular", _view_library("Angular", ("@angular/core",)), browser_only=True),
    Rule("astro", _npm("astro")),
    Rule("django", _python_web("django"), server=True),
    Rule("flask", _python_web("flask"), server=True),
    Rule("fastapi", _python_web("fastapi"), server=True),
    Rule("laravel", _laravel, server=True),
    Rule("sveltekit", _npm("@sveltejs/kit")),
    Rule("flutter", _flutter, mobile=True),
    Rule("kmp", _kmp, mobile=True),
    Rule("swift", _swift, mobile=True),
    Rule("android", _android, mobile=True),
    Rule("rails", _rails, server=True),
    Rule("elixir", _file("mix.exs"), server=True),
    Rule("go", _file("go.mod"), fallback_app=go_app),
    Rule("rust", _file("Cargo.toml"), fallback_app=rust_app),
    Rule("java", _java),
    Rule("python", _python, fallback_app=python_app),
    Rule("ruby", _ruby, fallback_app=ruby_app),
    Rule("javascript_web", lambda f: _found(javascript_web(f.view)), fallback_app=web_app, browser_only=True),
    Rule("javascript_node", _node, fallback_app=node_app),
    Rule("unknown", lambda f: Found([]), fallback_app=lambda view: False),
)

RULE_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
FRAMEWORK_ORDER: tuple[str, ...] = tuple(rule.id for rule in RULES)
FRAMEWORK_NAMES: dict[str, str] = {fid: FRAMEWORKS[fid].name for fid in FRAMEWORK_ORDER}
# Ids that name only a language or runtime: a monorepo root matching one reports its primary app.
FALLBACKS: frozenset[str] = frozenset(rule.id for rule in RULES if rule.fallback_app is not None)
SERVERS: frozenset[str] = frozenset(rule.id for rule in RULES if rule.server)
BROWSER_ONLY: frozenset[str] = frozenset(rule.id for rule in RULES if rule.browser_only)
MOBILE: frozenset[str] = frozenset(rule.id for rule in RULES if rule.mobile)


def decide(view: ProjectView) -> FrameworkMatch:
    """The first rule that matches the directory, with its evidence and the notes of the rules before."""
    facts = Facts(view)
    for rule in RULES:
        found = rule.match(facts)
        if found is not None:
            return FrameworkMatch(rule.id, found.evidence + facts.notes, found.router, found.mode)
    raise AssertionError("the last rule, unknown, always matches")


def is_app(match: FrameworkMatch, view: ProjectView) -> bool:
    """True when the directory is an app of its own: any framework, or a fallback that runs."""
    fallback_app = RULE_BY_ID[match.framework].fallback_app
    return fallback_app is None or fallback_app(view)
