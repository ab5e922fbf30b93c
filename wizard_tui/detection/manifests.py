"""Read one directory's manifests into declared dependencies: the registry of manifest kinds.

`MANIFESTS` lists each kind once, in the order they are read (the first evidence for a
name is kept): which files of a directory are that kind, and the parser that reads one.
Reading is shared: a file is read only when it is a regular file inside the root and
under the size cap, and a parser gets its text. Every parser is forgiving: a broken
manifest declares nothing, it never raises. Only declarations count, never a README or
a comment.

Where a format has a parser (JSON, TOML, YAML, XML, Python's syntax tree, INI), it is
used; Ruby, Elixir, Swift and Gradle manifests are programs in their languages, and
go.mod has no Python parser, so the lines that declare dependencies are matched instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from wizard_tui.detection.dirinfo import DirInfo
from wizard_tui.detection.fsread import MANIFEST_CAP, SOURCE_CAP, list_dir, read_text
from wizard_tui.detection.jvm_manifests import gradle_catalog, gradle_script, pom_xml
from wizard_tui.detection.languages import LANGUAGE_BY_ID
from wizard_tui.detection.python_manifests import (
    as_dict,
    load_toml,
    pipfile,
    pyproject_toml,
    requirements_txt,
    setup_cfg,
    setup_py,
)
from wizard_tui.detection.source_scan import strip_comments
from wizard_tui.domain.walk import SKIP_DIRS

JS_DEP_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
GRADLE_BUILD = ("build.gradle", "build.gradle.kts")
GRADLE_SETTINGS = ("settings.gradle", "settings.gradle.kts")
GRADLE_FILES = (*GRADLE_BUILD, *GRADLE_SETTINGS)
REQUIREMENTS = re.compile(r"requirements.*\.(?:txt|in)")
# Child directories never read as Gradle modules.
_NOT_MODULES = SKIP_DIRS | {"src", "gradle", "docs"}
_MAX_REQUIREMENT_FILES = 30  # in a requirements/ folder
_MAX_GRADLE_MODULES = 40
_MAX_XCODE_PROJECTS = 5

Files = Callable[[DirInfo, Path], list[str]]  # the manifests of a kind in a directory, paths from the root
Parse = Callable[[DirInfo, str, str], None]  # (directory, manifest path, its text)


@dataclass(frozen=True)
class Manifest:
    """One kind of manifest: where it is in a directory and how to read what it declares."""

    kind: str
    files: Files
    parse: Parse
    cap: int = MANIFEST_CAP  # a larger file is not read


# --- which files ----------------------------------------------------------------------------------


def _named(*names: str) -> Files:
    return lambda info, root: [info.path(n) for n in names if info.has(n)]


def _suffixed(suffix: str) -> Files:
    return lambda info, root: [info.path(n) for n in sorted(info.entries) if n.endswith(suffix) and info.has(n)]


def _xcode_projects(info: DirInfo, root: Path) -> list[str]:
    projects = [n for n, is_dir in sorted(info.entries.items()) if is_dir and n.endswith(".xcodeproj")]
    return [info.path(f"{n}/project.pbxproj") for n in projects[:_MAX_XCODE_PROJECTS]]


def _requirement_files(info: DirInfo, root: Path) -> list[str]:
    """requirements*.txt / *.in beside the other manifests, then those of a requirements/ folder."""
    out = [info.path(n) for n in sorted(info.entries) if REQUIREMENTS.fullmatch(n) and info.has(n)]
    if info.has_dir("requirements"):
        folder = info.path("requirements")
        listed = sorted(list_dir(root, folder).items())[:_MAX_REQUIREMENT_FILES]
        out += [f"{folder}/{n}" for n, is_dir in listed if not is_dir and n.endswith((".txt", ".in"))]
    return out


def _gradle_scripts(info: DirInfo, root: Path) -> list[str]:
    """The build's own scripts, then those of its modules one level down (app/, shared/ ...)."""
    if not info.has_any(*GRADLE_FILES):
        return []
    out = _named(*GRADLE_FILES)(info, root)
    modules = [n for n, is_dir in sorted(info.entries.items()) if is_dir and n not in _NOT_MODULES]
    for module in modules[:_MAX_GRADLE_MODULES]:
        child = list_dir(root, info.path(module))
        out += [info.path(f"{module}/{n}") for n in GRADLE_BUILD if child.get(n) is False]
    return out


def _gradle_catalog(info: DirInfo, root: Path) -> list[str]:
    return [info.path("gradle/libs.versions.toml")] if info.has_any(*GRADLE_FILES) and info.has_dir("gradle") else []


# --- the parsers of other ecosystems ------------------------------------------------------------


def _json(text: str) -> dict[str, object]:
    try:
        return as_dict(json.loads(text))
    except ValueError:
        return {}


def _package_json(info: DirInfo, rel: str, text: str) -> None:
    info.package_json = pkg = _json(text)
    for section in JS_DEP_SECTIONS:
        for name in as_dict(pkg.get(section)):
            info.add("npm", name, f"{rel}: {section}.{name}")


def _composer_json(info: DirInfo, rel: str, text: str) -> None:
    data = _json(text)
    for section in ("require", "require-dev"):
        for name in as_dict(data.get(section)):
            info.add("composer", name.lower(), f"{rel}: {section}.{name}")


def _matches(eco: str, pattern: str, evidence: str, *, flags: int = 0, language: str | None = None) -> Parse:
    """A manifest written in code: each match of `pattern` declares group 1 (lower-cased).

    `evidence` is formatted with `rel` and `name`; with `language`, comments are blanked first.
    """
    compiled = re.compile(pattern, flags)

    def parse(info: DirInfo, rel: str, text: str) -> None:
        if language is not None:
            text = strip_comments(text, LANGUAGE_BY_ID[language])
        for m in compiled.finditer(text):
            info.add(eco, m.group(1).lower(), evidence.format(rel=rel, name=m.group(1)))

    return parse


def _go_mod(info: DirInfo, rel: str, text: str) -> None:
    in_block = False
    for raw in text.splitlines():
        line, _, comment = raw.partition("//")
        line = line.strip()
        if not line or comment.strip() == "indirect":
            continue  # a dependency of a dependency is not the module's own choice
        if in_block:
            if line.startswith(")"):
                in_block = False
            elif len(parts := line.split()) >= 2:
                info.add("go", parts[0].lower(), f"{rel}: require {parts[0]}")
        elif line.startswith("require"):
            rest = line[len("require") :].strip()
            if rest.startswith("("):
                in_block = True
            elif rest:
                module = rest.split()[0]
                info.add("go", module.lower(), f"{rel}: require {module}")


def _cargo_toml(info: DirInfo, rel: str, text: str) -> None:
    data = load_toml(text)
    if data is None:
        return
    info.cargo = data
    tables: list[tuple[str, object]] = [
        (s, data.get(s)) for s in ("dependencies", "dev-dependencies", "build-dependencies")
    ]
    tables.append(("workspace.dependencies", as_dict(data.get("workspace")).get("dependencies")))
    for target, body in as_dict(data.get("target")).items():
        for section in ("dependencies", "dev-dependencies"):
            tables.append((f"target.{target}.{section}", as_dict(body).get(section)))
    for where, table in tables:
        for key, value in as_dict(table).items():
            renamed = as_dict(value).get("package")
            name = renamed if isinstance(renamed, str) else key
            info.add("cargo", name.lower(), f"{rel}: {where}.{key}")


def _pubspec_yaml(info: DirInfo, rel: str, text: str) -> None:
    try:
        doc = as_dict(yaml.safe_load(text))
    except yaml.YAMLError:
        return
    info.texts[rel] = text
    for section in ("dependencies", "dev_dependencies"):
        for name in as_dict(doc.get(section)):
            if isinstance(name, str):
                info.add("pub", name.lower(), f"{rel}: {section}.{name}")


def _swift_package(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git").lower()


def _swift_urls(pattern: str, evidence: str, *, language: str | None = None) -> Parse:
    """Swift packages named by their repository URL, identified by its last path segment."""
    compiled = re.compile(pattern, re.S)

    def parse(info: DirInfo, rel: str, text: str) -> None:
        if language is not None:
            text = strip_comments(text, LANGUAGE_BY_ID[language])
        for url in compiled.findall(text):
            name = _swift_package(url)
            info.add("swift", name, evidence.format(rel=rel, name=name))

    return parse


# --- the registry, in reading order ------------------------------------------------------------

MANIFESTS: tuple[Manifest, ...] = (
    Manifest("package.json", _named("package.json"), _package_json),
    Manifest("requirements", _requirement_files, requirements_txt),
    Manifest("pyproject.toml", _named("pyproject.toml"), pyproject_toml),
    Manifest("Pipfile", _named("Pipfile"), pipfile),
    # Parsed into a syntax tree: a source file's cap keeps that well under the time budget.
    Manifest("setup.py", _named("setup.py"), setup_py, cap=SOURCE_CAP),
    Manifest("setup.cfg", _named("setup.cfg"), setup_cfg),
    Manifest("composer.json", _named("composer.json"), _composer_json),
    Manifest(
        "Gemfile", _named("Gemfile"), _matches("gem", r"^\s*gem\s+[\"']([^\"']+)[\"']", "{rel}: gem {name}", flags=re.M)
    ),
    Manifest(
        "gemspec",
        _suffixed(".gemspec"),
        _matches("gem", r"add_(?:runtime_|development_)?dependency\s*\(?\s*[\"']([^\"']+)[\"']", "{rel}: {name}"),
    ),
    Manifest("go.mod", _named("go.mod"), _go_mod),
    Manifest("Cargo.toml", _named("Cargo.toml"), _cargo_toml),
    Manifest("Gradle scripts", _gradle_scripts, gradle_script),
    Manifest("Gradle version catalog", _gradle_catalog, gradle_catalog),
    Manifest("pom.xml", _named("pom.xml"), pom_xml),
    Manifest("pubspec.yaml", _named("pubspec.yaml"), _pubspec_yaml),
    Manifest(
        "mix.exs",
        _named("mix.exs"),
        _matches("hex", r"\{\s*:(\w+)\s*,", "{rel}: {{:{name}}}", language="elixir"),
    ),
    Manifest(
        "Package.swift",
        _named("Package.swift"),
        _swift_urls(r"\.package\s*\([^)]*?url:\s*\"([^\"]+)\"", "{rel}: .package({name})", language="swift"),
    ),
    Manifest(
        "Podfile", _named("Podfile"), _matches("swift", r"^\s*pod\s+[\"']([^\"'/]+)", "{rel}: pod {name}", flags=re.M)
    ),
    Manifest(
        "Xcode project",
        _xcode_projects,
        _swift_urls(r"repositoryURL\s*=\s*\"([^\"]+)\"", "{rel}: package {name}"),
    ),
)


def read_dir(root: Path, rel: str) -> DirInfo:
    """Parse every manifest `root/rel` holds. `root` must be resolved."""
    info = DirInfo(rel=rel, entries=list_dir(root, rel))
    if info.has("package.json"):
        info.package_json = {}  # even unreadable or broken, it makes the folder a JavaScript project
    for manifest in MANIFESTS:
        for path in manifest.files(info, root):
            text = read_text(root, path, manifest.cap)
            if text is not None:
                manifest.parse(info, path, text)
    return info
