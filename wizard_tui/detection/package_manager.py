"""The package manager of a project, in the ecosystem of its framework (the domain's record).

Lock files decide; a lock file in a workspace root counts for the apps below it. Two lock
files of *different managers in the same ecosystem* (package-lock.json and yarn.lock) are
ambiguous: None. Files of different ecosystems never conflict (a Django app's
package-lock.json says nothing about pip), and a lock file beats a plain requirement list
(poetry.lock with requirements.txt is poetry).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from wizard_tui.detection.dirinfo import DirInfo
from wizard_tui.detection.manifests import GRADLE_FILES, REQUIREMENTS
from wizard_tui.domain.frameworks import framework

JS_LOCKS: dict[str, str] = {
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
    "pnpm-lock.yaml": "pnpm",
    "yarn.lock": "yarn",
    "bun.lockb": "bun",
    "bun.lock": "bun",
    "deno.lock": "deno",
}
PY_LOCKS: dict[str, str] = {
    "poetry.lock": "poetry",
    "uv.lock": "uv",
    "Pipfile.lock": "pipenv",
    "pdm.lock": "pdm",
    "pixi.lock": "pixi",
}
_JS_FIELD = frozenset({"npm", "pnpm", "yarn", "bun"})

PmResult = tuple[str | None, str]
Resolve = Callable[[Sequence[DirInfo]], PmResult]


def _locks(info: DirInfo, table: dict[str, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, manager in table.items():
        if info.has(name):
            found.setdefault(manager, []).append(info.path(name))
    return found


def _decide_locks(found: dict[str, list[str]]) -> PmResult | None:
    if len(found) == 1:
        manager, files = next(iter(found.items()))
        return manager, f"package manager: {manager} ({files[0]})"
    if len(found) > 1:
        listed = ", ".join(f for fs in found.values() for f in fs)
        return None, f"package manager: ambiguous ({listed})"
    return None


def _js(chain: Sequence[DirInfo]) -> PmResult:
    for info in chain:
        pkg = info.package_json or {}
        field = pkg.get("packageManager")
        if isinstance(field, str):
            name = field.split("@", 1)[0].strip().lower()
            if name in _JS_FIELD:
                return (
                    name,
                    f"package manager: {name} ({info.path('package.json')}: packageManager)",
                )
        decided = _decide_locks(_locks(info, JS_LOCKS))
        if decided:
            return decided
        if info.has("pnpm-workspace.yaml"):
            return "pnpm", f"package manager: pnpm ({info.path('pnpm-workspace.yaml')})"
        if info.has(".yarnrc.yml"):
            return "yarn", f"package manager: yarn ({info.path('.yarnrc.yml')})"
    if chain and chain[0].package_json is not None:
        return "npm", "package manager: npm (package.json without a lock file: npm by default)"
    return None, ""


def _python(chain: Sequence[DirInfo]) -> PmResult:
    for info in chain:
        decided = _decide_locks(_locks(info, PY_LOCKS))
        if decided:
            return decided
    info = chain[0]
    tool = info.pyproject.get("tool") if info.pyproject else None
    if isinstance(tool, dict):
        for key, manager in (("poetry", "poetry"), ("uv", "uv"), ("pdm", "pdm"), ("rye", "rye")):
            if isinstance(tool.get(key), dict) and (key != "poetry" or _poetry_managed(info)):
                return (
                    manager,
                    f"package manager: {manager} ({info.path('pyproject.toml')}: tool.{key})",
                )
    if info.has("Pipfile"):
        return "pipenv", f"package manager: pipenv ({info.path('Pipfile')})"
    pip_files = [
        n
        for n in sorted(info.entries)
        if n in ("requirements.txt", "setup.py", "setup.cfg", "pyproject.toml") or REQUIREMENTS.fullmatch(n)
    ]
    if pip_files or info.has_dir("requirements"):
        where = info.path(pip_files[0]) if pip_files else info.path("requirements/")
        return "pip", f"package manager: pip ({where})"
    if info.has("environment.yml") or info.has("environment.yaml"):
        return "conda", "package manager: conda (environment.yml)"
    return None, ""


def _poetry_managed(info: DirInfo) -> bool:
    """[tool.poetry] that declares dependencies or a Poetry build backend (not just settings)."""
    tool = info.pyproject.get("tool", {}) if info.pyproject else {}
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    build = info.pyproject.get("build-system", {}) if info.pyproject else {}
    backend = build.get("build-backend", "") if isinstance(build, dict) else ""
    return (isinstance(poetry, dict) and ("dependencies" in poetry or "group" in poetry)) or (
        isinstance(backend, str) and backend.startswith("poetry")
    )


def _swift(info: DirInfo) -> PmResult:
    if info.has("Podfile") or info.has("Podfile.lock"):
        return "cocoapods", f"package manager: cocoapods ({info.path('Podfile')})"
    if info.has("Cartfile"):
        return "carthage", f"package manager: carthage ({info.path('Cartfile')})"
    return "swiftpm", "package manager: swiftpm (Swift Package Manager / Xcode packages)"


def _jvm(info: DirInfo) -> PmResult:
    maven = info.has("pom.xml") or info.has("mvnw")
    gradle = info.has_any(*GRADLE_FILES, "gradlew")
    if maven and gradle:
        return None, "package manager: ambiguous (pom.xml and Gradle build files)"
    if maven:
        return "maven", f"package manager: maven ({info.path('pom.xml')})"
    if gradle:
        return "gradle", "package manager: gradle"
    return None, ""


def _manifest(manager: str, manifest: str) -> Resolve:
    """An ecosystem with one package manager, named with the manifest it reads."""
    return lambda chain: (manager, f"package manager: {manager} ({chain[0].path(manifest)})")


def _only(manager: str, evidence: str) -> Resolve:
    return lambda chain: (manager, f"package manager: {manager}{evidence}")


_BY_ECOSYSTEM: dict[str, Resolve] = {
    "javascript": _js,
    "python": _python,
    "php": _manifest("composer", "composer.json"),
    "ruby": _only("bundler", " (Gemfile)"),
    "dart": _manifest("pub", "pubspec.yaml"),
    "kotlin": _only("gradle", ""),
    "java": lambda chain: _jvm(chain[0]),
    "swift": lambda chain: _swift(chain[0]),
    "elixir": _manifest("mix", "mix.exs"),
    "go": _manifest("go", "go.mod"),
    "rust": _manifest("cargo", "Cargo.toml"),
}


def package_manager(framework_id: str, chain: Sequence[DirInfo]) -> PmResult:
    """(manager or None, evidence line). `chain` is the project dir first, then its parents."""
    resolve = _BY_ECOSYSTEM.get(framework(framework_id).ecosystem)
    return resolve(chain) if resolve is not None and chain else (None, "")
