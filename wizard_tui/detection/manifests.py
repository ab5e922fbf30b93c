"""Read one directory's manifests into declared dependencies, per package ecosystem.

Every parser is forgiving: a broken manifest gives no dependencies and a note, never an
exception. Only declarations count (a README or a comment never does).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wizard_tui.detection.catalog import normalise_pypi
from wizard_tui.detection.fsread import list_dir, read_text
from wizard_tui.detection.languages import LANGUAGE_BY_ID
from wizard_tui.detection.source_scan import strip_comments
from wizard_tui.domain.walk import SKIP_DIRS

JS_DEP_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
GRADLE_BUILD = ("build.gradle", "build.gradle.kts")
GRADLE_SETTINGS = ("settings.gradle", "settings.gradle.kts")
GRADLE_FILES = (*GRADLE_BUILD, *GRADLE_SETTINGS)
# Child directories never read as Gradle modules or requirement folders.
_NOT_MODULES = SKIP_DIRS | {"src", "gradle", "docs"}


@dataclass
class DirInfo:
    """What one directory declares. `deps[eco][name]` is the evidence string for that name."""

    rel: str
    entries: dict[str, bool]
    deps: dict[str, dict[str, str]] = field(default_factory=dict)
    # Python dependencies that only an extra, a dev group or an optional table declares:
    # they count for PostHog and LLM SDKs, not for deciding the framework.
    py_extra: dict[str, str] = field(default_factory=dict)
    package_json: dict[str, Any] | None = None
    pyproject: dict[str, Any] | None = None
    cargo: dict[str, Any] | None = None
    texts: dict[str, str] = field(default_factory=dict)  # raw text of small build files by name
    manifest_files: dict[str, list[str]] = field(default_factory=dict)  # eco -> manifest paths
    notes: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.entries and not self.entries[name]

    def has_any(self, *names: str) -> bool:
        return any(self.has(name) for name in names)

    def first(self, *names: str) -> str | None:
        """The first of `names` that is a file here."""
        return next((name for name in names if self.has(name)), None)

    def has_dir(self, name: str) -> bool:
        return self.entries.get(name, False)

    def path(self, name: str) -> str:
        return f"{self.rel}/{name}" if self.rel else name

    def add(self, eco: str, name: str, evidence: str, manifest: str) -> None:
        bucket = self.deps.setdefault(eco, {})
        bucket.setdefault(name, evidence)
        files = self.manifest_files.setdefault(eco, [])
        if manifest not in files:
            files.append(manifest)

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


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _req_name(spec: str) -> str | None:
    spec = spec.strip()
    if not spec or spec.startswith(("#", "-r", "-c", "--")):
        return None
    egg = re.search(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    if spec.startswith("-"):
        return normalise_pypi(egg.group(1)) if egg else None
    m = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    return normalise_pypi(m.group(1)) if m else None


def _parse_requirements(info: DirInfo, root: Path, rel: str) -> None:
    text = read_text(root, rel)
    if text is None:
        return
    for line in text.splitlines():
        name = _req_name(line.split(" #", 1)[0])
        if name:
            info.add("pypi", name, f"{rel}: {name}", rel)


def _py_list(info: DirInfo, items: object, where: str, manifest: str, extra: bool) -> None:
    if not isinstance(items, list):
        return
    for item in items:
        if not isinstance(item, str):
            continue
        name = _req_name(item)
        if not name:
            continue
        if extra:
            info.py_extra.setdefault(name, f"{where} {name}")
            info.manifest_files.setdefault("pypi", [])
            if manifest not in info.manifest_files["pypi"]:
                info.manifest_files["pypi"].append(manifest)
        else:
            info.add("pypi", name, f"{where} {name}", manifest)


def _py_table(info: DirInfo, table: object, where: str, manifest: str, extra: bool) -> None:
    for key in _as_dict(table):
        if key.lower() == "python":
            continue
        name = normalise_pypi(key)
        if extra:
            info.py_extra.setdefault(name, f"{where}.{key}")
            info.manifest_files.setdefault("pypi", [])
            if manifest not in info.manifest_files["pypi"]:
                info.manifest_files["pypi"].append(manifest)
        else:
            info.add("pypi", name, f"{where}.{key}", manifest)


def _parse_pyproject(info: DirInfo, root: Path) -> None:
    rel = info.path("pyproject.toml")
    text = read_text(root, rel)
    if text is None:
        return
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        info.notes.append(f"{rel}: not valid TOML")
        return
    info.pyproject = data
    project = _as_dict(data.get("project"))
    _py_list(info, project.get("dependencies"), f"{rel}: project.dependencies", rel, False)
    for group, items in _as_dict(project.get("optional-dependencies")).items():
        _py_list(info, items, f"{rel}: project.optional-dependencies.{group}", rel, True)
    for group, items in _as_dict(data.get("dependency-groups")).items():
        _py_list(info, items, f"{rel}: dependency-groups.{group}", rel, True)
    tool = _as_dict(data.get("tool"))
    poetry = _as_dict(tool.get("poetry"))
    _py_table(info, poetry.get("dependencies"), f"{rel}: tool.poetry.dependencies", rel, False)
    _py_table(info, poetry.get("dev-dependencies"), f"{rel}: tool.poetry.dev-dependencies", rel, True)
    for group, body in _as_dict(poetry.get("group")).items():
        deps = _as_dict(body).get("dependencies")
        _py_table(info, deps, f"{rel}: tool.poetry.group.{group}.dependencies", rel, True)
    _py_list(info, _as_dict(tool.get("uv")).get("dev-dependencies"), f"{rel}: tool.uv", rel, True)
    for group, items in _as_dict(_as_dict(tool.get("pdm")).get("dev-dependencies")).items():
        _py_list(info, items, f"{rel}: tool.pdm.dev-dependencies.{group}", rel, True)


def _parse_pipfile(info: DirInfo, root: Path) -> None:
    rel = info.path("Pipfile")
    text = read_text(root, rel)
    if text is None:
        return
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        info.notes.append(f"{rel}: not valid TOML")
        return
    _py_table(info, data.get("packages"), f"{rel}: packages", rel, False)
    _py_table(info, data.get("dev-packages"), f"{rel}: dev-packages", rel, True)


def _parse_setup(info: DirInfo, root: Path) -> None:
    rel = info.path("setup.py")
    text = read_text(root, rel)
    if text is not None:
        for block in re.findall(r"install_requires\s*=\s*\[(.*?)\]", text, re.S):
            for spec in re.findall(r"[\"']([^\"']+)[\"']", block):
                name = _req_name(spec)
                if name:
                    info.add("pypi", name, f"{rel}: install_requires {name}", rel)
    rel = info.path("setup.cfg")
    text = read_text(root, rel) if info.has("setup.cfg") else None
    if text is not None:
        m = re.search(r"^install_requires\s*=\s*\n((?:[ \t]+\S.*\n?)+)", text, re.M)
        if m:
            for line in m.group(1).splitlines():
                name = _req_name(line)
                if name:
                    info.add("pypi", name, f"{rel}: install_requires {name}", rel)


def _parse_package_json(info: DirInfo, root: Path) -> None:
    rel = info.path("package.json")
    text = read_text(root, rel)
    if text is None:
        info.notes.append(f"{rel}: unreadable")
        info.package_json = {}
        return
    try:
        data = json.loads(text)
    except ValueError:
        info.notes.append(f"{rel}: not valid JSON")
        data = {}
    pkg = _as_dict(data)
    info.package_json = pkg
    for section in JS_DEP_SECTIONS:
        for name in _as_dict(pkg.get(section)):
            if isinstance(name, str):
                info.add("npm", name, f"{rel}: {section}.{name}", rel)


def _parse_composer(info: DirInfo, root: Path) -> None:
    rel = info.path("composer.json")
    text = read_text(root, rel)
    if text is None:
        return
    try:
        data = _as_dict(json.loads(text))
    except ValueError:
        info.notes.append(f"{rel}: not valid JSON")
        return
    for section in ("require", "require-dev"):
        for name in _as_dict(data.get(section)):
            info.add("composer", name.lower(), f"{rel}: {section}.{name}", rel)


def _parse_ruby(info: DirInfo, root: Path) -> None:
    if info.has("Gemfile"):
        rel = info.path("Gemfile")
        text = read_text(root, rel)
        if text is not None:
            for m in re.finditer(r"^\s*gem\s+[\"']([^\"']+)[\"']", text, re.M):
                info.add("gem", m.group(1).lower(), f"{rel}: gem {m.group(1)}", rel)
    for name in sorted(info.entries):
        if name.endswith(".gemspec") and not info.entries[name]:
            rel = info.path(name)
            text = read_text(root, rel)
            if text is None:
                continue
            pattern = r"add_(?:runtime_|development_)?dependency\s*\(?\s*[\"']([^\"']+)[\"']"
            for m in re.finditer(pattern, text):
                info.add("gem", m.group(1).lower(), f"{rel}: {m.group(1)}", rel)


def _parse_go_mod(info: DirInfo, root: Path) -> None:
    rel = info.path("go.mod")
    text = read_text(root, rel)
    if text is None:
        return
    in_block = False
    for raw in text.splitlines():
        line, _, comment = raw.partition("//")
        line = line.strip()
        if not line or comment.strip() == "indirect":
            continue  # a dependency of a dependency is not the module's own choice
        if in_block:
            if line.startswith(")"):
                in_block = False
                continue
            parts = line.split()
            if len(parts) >= 2:
                info.add("go", parts[0].lower(), f"{rel}: require {parts[0]}", rel)
        elif line.startswith("require"):
            rest = line[len("require") :].strip()
            if rest.startswith("("):
                in_block = True
            elif rest:
                mod = rest.split()[0]
                info.add("go", mod.lower(), f"{rel}: require {mod}", rel)


def _parse_cargo(info: DirInfo, root: Path) -> None:
    rel = info.path("Cargo.toml")
    text = read_text(root, rel)
    if text is None:
        return
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        info.notes.append(f"{rel}: not valid TOML")
        return
    info.cargo = data
    tables: list[tuple[str, object]] = []
    for section in ("dependencies", "dev-dependencies", "build-dependencies"):
        tables.append((section, data.get(section)))
    tables.append(("workspace.dependencies", _as_dict(data.get("workspace")).get("dependencies")))
    for target, body in _as_dict(data.get("target")).items():
        for section in ("dependencies", "dev-dependencies"):
            tables.append((f"target.{target}.{section}", _as_dict(body).get(section)))
    for where, table in tables:
        for key, value in _as_dict(table).items():
            name = key
            if isinstance(value, dict) and isinstance(value.get("package"), str):
                name = value["package"]
            info.add("cargo", name.lower(), f"{rel}: {where}.{key}", rel)


_GRADLE_COORD = re.compile(r"[\"']([A-Za-z0-9_.\-]+):([A-Za-z0-9_.\-]+)(?::[^\"'\s]*)?[\"']")


def _gradle_text(info: DirInfo, rel: str, text: str) -> None:
    text = strip_comments(text, LANGUAGE_BY_ID["jvm"])  # a commented-out dependency is not declared
    info.texts[rel] = text
    for m in _GRADLE_COORD.finditer(text):
        coord = f"{m.group(1)}:{m.group(2)}".lower()
        if "." in m.group(1):
            info.add("maven", coord, f"{rel}: {coord}", rel)


def _parse_gradle(info: DirInfo, root: Path) -> None:
    names = [n for n in (*GRADLE_BUILD, *GRADLE_SETTINGS) if info.has(n)]
    for name in names:
        rel = info.path(name)
        text = read_text(root, rel)
        if text is not None:
            _gradle_text(info, rel, text)
    # Modules one level down (app/, shared/, composeApp/ ...) hold the real dependencies.
    modules = [n for n, is_dir in sorted(info.entries.items()) if is_dir and n not in _NOT_MODULES]
    for module in modules[:40]:
        sub = info.path(module)
        child = list_dir(root, sub)
        for name in GRADLE_BUILD:
            if name in child and not child[name]:
                text = read_text(root, f"{sub}/{name}")
                if text is not None:
                    _gradle_text(info, f"{sub}/{name}", text)
    catalog_rel = info.path("gradle/libs.versions.toml")
    if info.has_dir("gradle"):
        text = read_text(root, catalog_rel)
        if text is not None:
            info.texts[catalog_rel] = text
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                data = {}
            for alias, lib in _as_dict(data.get("libraries")).items():
                coord = ""
                if isinstance(lib, str):
                    coord = ":".join(lib.split(":")[:2])
                elif isinstance(lib, dict):
                    if isinstance(lib.get("module"), str):
                        coord = lib["module"]
                    elif isinstance(lib.get("group"), str) and isinstance(lib.get("name"), str):
                        coord = f"{lib['group']}:{lib['name']}"
                if coord:
                    info.add("maven", coord.lower(), f"{catalog_rel}: libraries.{alias}", catalog_rel)


def _parse_pom(info: DirInfo, root: Path) -> None:
    rel = info.path("pom.xml")
    text = read_text(root, rel)
    if text is None:
        return
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    for block in re.findall(r"<dependency>(.*?)</dependency>", text, re.S):
        g = re.search(r"<groupId>\s*([^<\s]+)\s*</groupId>", block)
        a = re.search(r"<artifactId>\s*([^<\s]+)\s*</artifactId>", block)
        if g and a:
            coord = f"{g.group(1)}:{a.group(1)}".lower()
            info.add("maven", coord, f"{rel}: {coord}", rel)


def _parse_pubspec(info: DirInfo, root: Path) -> None:
    rel = info.path("pubspec.yaml")
    text = read_text(root, rel)
    if text is None:
        return
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        info.notes.append(f"{rel}: not valid YAML")
        return
    doc = _as_dict(data)
    info.texts[rel] = text
    for section in ("dependencies", "dev_dependencies"):
        for name in _as_dict(doc.get(section)):
            if isinstance(name, str):
                info.add("pub", name.lower(), f"{rel}: {section}.{name}", rel)


def _parse_mix(info: DirInfo, root: Path) -> None:
    rel = info.path("mix.exs")
    text = read_text(root, rel)
    if text is None:
        return
    text = strip_comments(text, LANGUAGE_BY_ID["ex"])
    info.texts[rel] = text
    for m in re.finditer(r"\{\s*:(\w+)\s*,", text):
        info.add("hex", m.group(1).lower(), f"{rel}: {{:{m.group(1)}}}", rel)


def _swift_identity(url: str) -> str:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return name.removesuffix(".git").lower()


def _parse_swift(info: DirInfo, root: Path) -> None:
    if info.has("Package.swift"):
        rel = info.path("Package.swift")
        text = read_text(root, rel)
        if text is not None:
            text = strip_comments(text, LANGUAGE_BY_ID["swift"])
            for url in re.findall(r"\.package\s*\([^)]*?url:\s*\"([^\"]+)\"", text, re.S):
                ident = _swift_identity(url)
                info.add("swift", ident, f"{rel}: .package({ident})", rel)
    if info.has("Podfile"):
        rel = info.path("Podfile")
        text = read_text(root, rel)
        if text is not None:
            for m in re.finditer(r"^\s*pod\s+[\"']([^\"'/]+)", text, re.M):
                info.add("swift", m.group(1).lower(), f"{rel}: pod {m.group(1)}", rel)
    projects = [n for n, d in sorted(info.entries.items()) if d and n.endswith(".xcodeproj")]
    for proj in projects[:5]:
        rel = info.path(f"{proj}/project.pbxproj")
        text = read_text(root, rel)
        if text is None:
            continue
        for url in re.findall(r"repositoryURL\s*=\s*\"([^\"]+)\"", text):
            ident = _swift_identity(url)
            info.add("swift", ident, f"{rel}: package {ident}", rel)


def read_dir(root: Path, rel: str) -> DirInfo:
    """Parse every manifest `root/rel` holds. `root` must be resolved."""
    info = DirInfo(rel=rel, entries=list_dir(root, rel))
    if info.has("package.json"):
        _parse_package_json(info, root)
    for name in sorted(info.entries):
        if re.fullmatch(r"requirements.*\.(txt|in)", name) and not info.entries[name]:
            _parse_requirements(info, root, info.path(name))
    if info.has_dir("requirements"):
        sub = info.path("requirements")
        for name, is_dir in sorted(list_dir(root, sub).items())[:30]:
            if not is_dir and name.endswith((".txt", ".in")):
                _parse_requirements(info, root, f"{sub}/{name}")
    if info.has("pyproject.toml"):
        _parse_pyproject(info, root)
    if info.has("Pipfile"):
        _parse_pipfile(info, root)
    if info.has("setup.py") or info.has("setup.cfg"):
        _parse_setup(info, root)
    if info.has("composer.json"):
        _parse_composer(info, root)
    _parse_ruby(info, root)
    if info.has("go.mod"):
        _parse_go_mod(info, root)
    if info.has("Cargo.toml"):
        _parse_cargo(info, root)
    if any(info.has(n) for n in (*GRADLE_BUILD, *GRADLE_SETTINGS)):
        _parse_gradle(info, root)
    if info.has("pom.xml"):
        _parse_pom(info, root)
    if info.has("pubspec.yaml"):
        _parse_pubspec(info, root)
    if info.has("mix.exs"):
        _parse_mix(info, root)
    _parse_swift(info, root)
    return info
