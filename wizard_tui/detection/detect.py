"""`detect_project`: framework, package manager, PostHog, LLM calls and sub-projects of a tree.

One bounded walk (`core.walk.iter_files`: .git, node_modules, virtualenvs, build output and
.gitignore'd paths are never entered) lists the files; manifests of the root and of every
directory that holds one are parsed; then source files are scanned for LLM calls until the
time budget runs out. Pure: reads only, never writes, never runs a tool, no network.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from wizard_tui.detection.catalog import MEDIA_SDKS, SDK_ALIASES, is_llm_package, is_posthog_package
from wizard_tui.detection.dirinfo import DirInfo
from wizard_tui.detection.frameworks import FALLBACKS, FRAMEWORK_NAMES, MOBILE, FrameworkMatch, decide, is_app
from wizard_tui.detection.fsread import SOURCE_CAP, read_text
from wizard_tui.detection.languages import LANGUAGE_BY_EXT, LANGUAGE_BY_ID, Language
from wizard_tui.detection.manifests import GRADLE_BUILD, GRADLE_SETTINGS, read_dir
from wizard_tui.detection.models import DetectionResult, LlmCall, Subproject
from wizard_tui.detection.monorepo import primary_app, root_has_own_app, script_targets
from wizard_tui.detection.package_manager import package_manager
from wizard_tui.detection.probes import ProjectView
from wizard_tui.detection.source_scan import UNRESOLVED, resolve_orphan, scan_source, strip_comments
from wizard_tui.domain.printable import printable
from wizard_tui.domain.walk import WalkBudget, iter_files

# Files that make a directory a project of its own.
MANIFEST_NAMES = frozenset(
    {
        "package.json",
        "pyproject.toml",
        "requirements.txt",
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
SUBPROJECT_MAX_DEPTH = 3
MAX_SUBPROJECTS = 50
MAX_CANDIDATES = 200
MAX_SOURCE_CALLS = 400
# Directories whose projects are test material, not apps.
_TEST_DIRS = frozenset(
    {
        "test",
        "tests",
        "__tests__",
        "fixtures",
        "__fixtures__",
        "testdata",
        "test-fixtures",
        "e2e",
        "__mocks__",
        "spec",
    }
)
# Native shells of a cross-platform app (React Native, Flutter, Capacitor, KMP).
_PLATFORM_DIRS = frozenset({"android", "ios", "macos", "windows", "linux", "web", "tvos", "watchos"})
_CROSS_PLATFORM_PACKAGES = ("react-native", "expo", "nativescript", "cordova", "electron", "react-native-windows")


@dataclass
class _Tree:
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


def _parent(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if "/" in rel else ""


def _project_dirs(files: list[str]) -> set[str]:
    """Directories below the root that hold a project manifest of their own.

    A Gradle module (a build file without settings) is part of its parent's build, not a
    project of its own.
    """
    names: dict[str, set[str]] = {}
    xcode: set[str] = set()
    for f in files:
        parent, _, name = f.rpartition("/")
        if parent and (name in MANIFEST_NAMES or re.fullmatch(r"requirements.*\.txt", name)):
            names.setdefault(parent, set()).add(name)
        elif name == "project.pbxproj" and parent.endswith(".xcodeproj") and "/" in parent:
            xcode.add(_parent(parent))
    return xcode | {d for d, found in names.items() if not found <= {*GRADLE_BUILD} or found & {*GRADLE_SETTINGS}}


def _candidate_dirs(files: list[str]) -> list[str]:
    found: set[str] = set()
    for f in files:
        p = PurePosixPath(f)
        parent = p.parent.as_posix()
        if p.name in MANIFEST_NAMES or re.fullmatch(r"requirements.*\.txt", p.name):
            d = "" if parent == "." else parent
        elif p.name == "project.pbxproj" and parent.endswith(".xcodeproj"):
            d = _parent(parent)
        else:
            continue
        if not d or d.count("/") >= SUBPROJECT_MAX_DEPTH:
            continue
        parts = d.split("/")
        if any(part in _TEST_DIRS or part.startswith(".") for part in parts):
            continue
        found.add(d)
    return sorted(found, key=lambda d: (d.count("/"), d))[:MAX_CANDIDATES]


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


def _gradle_module(tree: _Tree, rel: str, info: DirInfo) -> bool:
    """A Gradle module of a build rooted in a parent (it has no settings.gradle of its own)."""
    if not any(info.has(n) for n in GRADLE_BUILD) or any(info.has(n) for n in GRADLE_SETTINGS):
        return False
    return any(any(p.has(n) for n in GRADLE_SETTINGS) for p in tree.chain(rel)[1:])


def _subprojects(tree: _Tree, root_match: FrameworkMatch, candidates: list[str]) -> tuple[list[Subproject], bool]:
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


def _manifest_file(evidence: str) -> str:
    return evidence.split(": ", 1)[0]


def _declared(infos: list[DirInfo]) -> Iterator[tuple[str, str, str]]:
    """(ecosystem, name, manifest file) of every declared dependency, extras included."""
    for info in infos:
        for eco, deps in info.deps.items():
            for name, ev in deps.items():
                yield eco, name, _manifest_file(ev)
        for name, ev in info.py_extra.items():
            yield "pypi", name, _manifest_file(ev)


_LIKELY_LLM = re.compile(
    r"llm|openai|anthropic|claude|gpt|gemini|genai|(?<![a-z])ai(?![a-z])|chat|agent|completion|"
    r"prompt|embed|rag|summar|assistant|model|langchain|bot",
    re.I,
)
_TEST_PATH = re.compile(
    r"(?:^|/)(?:tests?|__tests__|spec|e2e|__mocks__|fixtures|stories)(?:/|$)|"
    r"\.(?:test|spec|stories)\."
)


def _source_order(rel: str) -> int:
    """Scan first the files most likely to call an LLM, tests last: a cut budget loses least."""
    if _TEST_PATH.search(rel):
        return 2
    return 0 if _LIKELY_LLM.search(rel) else 1


_TEMPLATE_EXT = frozenset(
    {".html", ".htm", ".erb", ".ejs", ".hbs", ".handlebars", ".twig", ".liquid", ".njk", ".jinja", ".j2", ".php"}
)
_TEMPLATE_SUFFIXES = tuple(sorted(_TEMPLATE_EXT))


def posthog_snippet(text: str) -> bool:
    """The PostHog web snippet (loader plus `posthog.init`) outside comments of a page or script."""
    if "posthog.init(" not in text:
        return False
    code = strip_comments(text, LANGUAGE_BY_ID["web"])
    return "posthog.init(" in code and any(marker in code for marker in ("array.js", "window.posthog", "__SV"))


def _scan_sources(tree: _Tree) -> tuple[list[LlmCall], list[str], bool]:
    """LLM call sites, and the files holding the PostHog web snippet; True when cut short."""
    sources: list[tuple[str, Language | None]] = []
    for rel in tree.files:
        name = rel.rsplit("/", 1)[-1]
        dot = name.rfind(".")
        if dot <= 0:
            continue
        ext = name[dot:].lower()
        lang = LANGUAGE_BY_EXT.get(ext)
        if lang is None and ext not in _TEMPLATE_EXT:
            continue
        if name.endswith((".min.js", ".d.ts", ".bundle.js")):
            continue
        sources.append((rel, lang))
    sources.sort(key=lambda item: _source_order(item[0]))  # stable: walk order within a group
    calls: list[LlmCall] = []
    snippets: list[str] = []
    for rel, lang in sources:
        if time.monotonic() > tree.deadline:
            return calls, snippets, True
        text = read_text(tree.root, rel, SOURCE_CAP)
        if not text:
            continue
        # The snippet lives in page templates, and in components and scripts too (an Astro
        # `posthog.astro`, a Next.js `<Script>`, a static `analytics.js`).
        if ((lang is not None and lang.browser) or rel.endswith(_TEMPLATE_SUFFIXES)) and posthog_snippet(text):
            snippets.append(rel)
        if lang is None or len(calls) >= MAX_SOURCE_CALLS:
            continue
        for hit in scan_source(text, lang):
            calls.append(LlmCall(file=rel, line=hit.line, sdk=hit.sdk, kind=hit.kind))
    return calls[:MAX_SOURCE_CALLS], snippets, False


def _resolve_orphans(calls: list[LlmCall], declared: list[str]) -> list[LlmCall]:
    """Attribute calls to the SDK the project imports or declares.

    Orphan calls (on a client built in another module) take the project's SDK of their family;
    a class several packages provide takes the name the manifest declares.
    """
    known = list(dict.fromkeys([c.sdk for c in calls if c.kind == "import"] + declared))
    out: list[LlmCall] = []
    for call in calls:
        if call.sdk.startswith(UNRESOLVED):
            sdk = resolve_orphan(call.sdk[len(UNRESOLVED) :], known)
            if sdk is None:
                continue  # the same method names on some other library
            call = call.model_copy(update={"sdk": sdk})
        elif call.sdk not in known:
            alias = next((a for a in SDK_ALIASES.get(call.sdk, ()) if a in known), None)
            if alias:
                call = call.model_copy(update={"sdk": alias})
        out.append(call)
    return out


def _empty(evidence: list[str]) -> DetectionResult:
    return DetectionResult(
        framework="unknown",
        name=FRAMEWORK_NAMES["unknown"],
        evidence=evidence,
        package_manager=None,
        posthog_installed=False,
        posthog_packages=[],
        llm_calls=[],
        llm_sdks=[],
        subprojects=[],
        files_scanned=0,
        truncated=False,
    )


def detect_project(root: Path, *, max_files: int = 20000, seconds: float = 2.0) -> DetectionResult:
    """Detect what `root` is. Bounded by `max_files` walked files and `seconds` of wall-clock."""
    started = time.monotonic()
    deadline = started + seconds
    try:
        root = Path(root).resolve()
        if not root.is_dir():
            return _empty([f"{root} is not a directory"])
    except OSError as exc:
        return _empty([f"cannot read {root}: {exc.strerror or exc}"])

    # The walk may take at most 60% of the time; manifests and sources share what is left.
    budget = WalkBudget(max_files=max_files, max_dirs=max(max_files, 1000), seconds=seconds * 0.6)
    files = list(iter_files(root, budget=budget))
    truncated = budget.exhausted
    tree = _Tree(root, files, deadline)

    root_match = decide(tree.view(""))
    pm, pm_evidence = package_manager(root_match.framework, tree.chain(""))
    evidence = list(root_match.evidence)
    if pm_evidence:
        evidence.append(pm_evidence)

    candidates = _candidate_dirs(files)
    subprojects, cut = _subprojects(tree, root_match, candidates)
    truncated = truncated or cut
    framework, fw_name, router, mode = root_match.framework, root_match.name, root_match.router, root_match.mode
    primary: str | None = None
    if root_match.framework in FALLBACKS and subprojects and not root_has_own_app(tree.under("")):
        elected = primary_app(subprojects, script_targets(tree.info("").package_json), tree.package_name)
        if elected:
            sub, reason = elected
            primary = sub.path
            framework, fw_name, router, mode = sub.framework, sub.name, sub.router, sub.mode
            pm, pm_evidence = package_manager(sub.framework, tree.chain(sub.path))
            evidence = [
                f"monorepo root: {sub.name} from its primary app {sub.path} ({reason}); "
                f"the root alone is {root_match.name} [{root_match.framework}]",
                *decide(tree.view(sub.path)).evidence,
                *([pm_evidence] if pm_evidence else []),
            ]

    # Declarations: the root's manifests and those of every project directory below it.
    infos = [tree.info("")] + [tree.info(d) for d in candidates if d in tree.infos or time.monotonic() < deadline]
    manifest_calls: dict[tuple[str, str], LlmCall] = {}
    posthog: dict[str, str] = {}
    for eco, name, manifest in _declared(infos):
        if is_posthog_package(eco, name):
            posthog.setdefault(name, manifest)
        if is_llm_package(eco, name):
            manifest_calls.setdefault((manifest, name), LlmCall(file=manifest, line=None, sdk=name, kind="manifest"))

    source_calls, snippets, cut = _scan_sources(tree)
    truncated = truncated or cut
    source_calls = _resolve_orphans(source_calls, [c.sdk for c in manifest_calls.values()])
    if not any(c.sdk in MEDIA_SDKS for c in source_calls):
        # A declared Replicate or fal client with no code naming a language model: media generation.
        manifest_calls = {k: c for k, c in manifest_calls.items() if c.sdk not in MEDIA_SDKS}
    if snippets:
        posthog.setdefault("posthog-js (web snippet)", snippets[0])
    for name, manifest in sorted(posthog.items()):
        evidence.append(f"PostHog: {name} ({manifest})")
    llm_calls = sorted(manifest_calls.values(), key=lambda c: (c.file, c.sdk)) + sorted(
        source_calls, key=lambda c: (c.file, c.line or 0, c.kind, c.sdk)
    )
    if truncated:
        evidence.append(f"scan cut short by the budget ({max_files} files, {seconds:g} s): results may be partial")
    return DetectionResult(
        framework=framework,
        name=fw_name,
        evidence=evidence,
        package_manager=pm,
        router=router,
        mode=mode,
        posthog_installed=bool(posthog),
        posthog_packages=sorted(posthog),
        llm_calls=llm_calls,
        llm_sdks=sorted({c.sdk for c in llm_calls}),
        subprojects=subprojects,
        primary_subproject=primary,
        files_scanned=budget.files_seen,
        truncated=truncated,
    )


def format_detection(result: DetectionResult) -> str:
    """Human-readable report for `wizard-tui detect PATH`."""
    lines: list[str] = []
    head = f"{result.name} [{result.framework}]"
    extras = []
    if result.router:
        extras.append(f"router: {result.router}")
    if result.mode:
        extras.append(f"mode: {result.mode}")
    if result.primary_subproject:
        extras.append(f"from its primary app {result.primary_subproject}")
    if extras:
        head += ", " + ", ".join(extras)
    lines.append(f"Framework:        {head}")
    lines.append(f"Package manager:  {result.package_manager or 'unknown'}")
    if result.posthog_installed:
        lines.append(f"PostHog:          installed ({', '.join(result.posthog_packages)})")
    else:
        lines.append("PostHog:          not installed")
    if result.llm_sdks:
        lines.append(f"LLM SDKs:         {', '.join(result.llm_sdks)}")
    else:
        lines.append("LLM SDKs:         none")
    sites = [c for c in result.llm_calls if c.kind != "manifest"]
    declared = [c for c in result.llm_calls if c.kind == "manifest"]
    if declared:
        lines.append("LLM declarations:")
        lines += [f"  {c.file}: {c.sdk}" for c in declared[:20]]
        if len(declared) > 20:
            lines.append(f"  ... and {len(declared) - 20} more")
    if sites:
        lines.append(f"LLM call sites:   {len(sites)}")
        lines += [f"  {c.file}:{c.line}  {c.sdk} ({c.kind})" for c in sites[:40]]
        if len(sites) > 40:
            lines.append(f"  ... and {len(sites) - 40} more")
    else:
        lines.append("LLM call sites:   none")
    if result.subprojects:
        lines.append("Subprojects:")
        width = max(len(s.path) for s in result.subprojects)
        for s in result.subprojects:
            detail = f"{s.name} [{s.framework}]"
            if s.router:
                detail += f", router: {s.router}"
            if s.mode:
                detail += f", mode: {s.mode}"
            detail += f", {s.package_manager or 'unknown package manager'}"
            if s.path == result.primary_subproject:
                detail += " (primary)"
            lines.append(f"  {s.path.ljust(width)}  {detail}")
    else:
        lines.append("Subprojects:      none")
    if result.evidence:
        lines.append("Evidence:")
        lines += [f"  - {e}" for e in result.evidence]
    scanned = f"Scanned {result.files_scanned} files"
    if result.truncated:
        scanned += " (cut short by the budget: results may be partial)"
    lines.append(scanned)
    # Names, paths and manifest fields come from the project: each line stays one printable line.
    return "\n".join(printable(line) for line in lines)
