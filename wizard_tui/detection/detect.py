"""`detect_project`: framework, package manager, PostHog, LLM calls and sub-projects of a tree.

One bounded walk (`domain.walk.iter_files`: .git, node_modules, virtualenvs, build output
and .gitignore'd paths are never entered) lists the files; manifests of the root and of
every directory that holds one are parsed; then source files are scanned for LLM calls
until the time budget runs out. Pure: reads only, never writes, never runs a tool, no
network.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

from wizard_tui.detection.catalog import MEDIA_SDKS, SDK_ALIASES, is_llm_package, is_posthog_package
from wizard_tui.detection.dirinfo import DirInfo
from wizard_tui.detection.frameworks import FALLBACKS, FRAMEWORK_NAMES, decide
from wizard_tui.detection.fsread import SOURCE_CAP, read_text
from wizard_tui.detection.language_record import Language
from wizard_tui.detection.languages import LANGUAGE_BY_EXT, LANGUAGE_BY_ID
from wizard_tui.detection.models import DetectionResult, LlmCall
from wizard_tui.detection.monorepo import primary_app, root_has_own_app, script_targets
from wizard_tui.detection.package_manager import package_manager
from wizard_tui.detection.source_scan import UNRESOLVED, resolve_orphan, scan_source, strip_comments
from wizard_tui.detection.tree import ProjectTree, candidate_dirs, subprojects
from wizard_tui.domain.walk import TEST_DIRS, WalkBudget, iter_files

MAX_SOURCE_CALLS = 400


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
_TEST_FILE = re.compile(r"\.(?:test|spec|stories)\.")


def _source_order(rel: str) -> int:
    """Scan first the files most likely to call an LLM, tests last: a cut budget loses least."""
    if _TEST_FILE.search(rel) or any(part in TEST_DIRS for part in rel.split("/")[:-1]):
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
    code = strip_comments(text, LANGUAGE_BY_ID["component"])
    return "posthog.init(" in code and any(marker in code for marker in ("array.js", "window.posthog", "__SV"))


def _scan_sources(tree: ProjectTree) -> tuple[list[LlmCall], list[str], bool]:
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
    tree = ProjectTree(root, files, deadline)

    root_match = decide(tree.view(""))
    pm, pm_evidence = package_manager(root_match.framework, tree.chain(""))
    evidence = list(root_match.evidence)
    if pm_evidence:
        evidence.append(pm_evidence)

    candidates = candidate_dirs(files)
    subs, cut = subprojects(tree, root_match, candidates)
    truncated = truncated or cut
    framework, fw_name, router, mode = root_match.framework, root_match.name, root_match.router, root_match.mode
    primary: str | None = None
    if root_match.framework in FALLBACKS and subs and not root_has_own_app(tree.under("")):
        elected = primary_app(subs, script_targets(tree.info("").package_json), tree.package_name)
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
        subprojects=subs,
        primary_subproject=primary,
        files_scanned=budget.files_seen,
        truncated=truncated,
    )
