"""Python manifests: requirement files, pyproject.toml, Pipfile, setup.py and setup.cfg.

Requirement strings are parsed by `packaging` (PEP 508), TOML by `tomllib`, setup.cfg by
`configparser`, and setup.py by `ast`: its literal `install_requires` is read from the
syntax tree, the file is never run.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from wizard_tui.detection.dirinfo import DirInfo

# Where a legacy version part starts (`Django>=1.8.*`, which old pips took and packaging refuses).
_AFTER_NAME = re.compile(r"[\s\[<>=!~;@(,]")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
# packaging parses a requirement in tens of microseconds: a generated or hostile list of
# tens of thousands would cost seconds of the time budget. Real lists are far shorter.
MAX_REQUIREMENTS = 2000
_NOT_REQUIREMENTS = ("#", "-r", "-c", "--")  # comments, included files, options


def requirement_name(spec: str) -> str | None:
    """The canonical project name a requirement line declares, None for options, paths and URLs.

    A line whose version part packaging refuses still declares its name; an editable
    install (`-e URL#egg=name`) declares the egg's name.
    """
    spec = spec.strip()
    if not spec or spec.startswith(_NOT_REQUIREMENTS):
        return None
    if spec.startswith("-"):
        egg = _EGG.search(spec)
        return canonicalize_name(egg.group(1)) if egg else None
    for candidate in (spec, _AFTER_NAME.split(spec, maxsplit=1)[0]):
        try:
            return canonicalize_name(Requirement(candidate).name)
        except InvalidRequirement:
            continue
    return None


def requirement_names(specs: Iterable[str]) -> Iterator[str]:
    """The names the first MAX_REQUIREMENTS requirement strings declare."""
    for spec in islice(specs, MAX_REQUIREMENTS):
        name = requirement_name(spec)
        if name:
            yield name


def load_toml(text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _declare(info: DirInfo, name: str, evidence: str, extra: bool) -> None:
    if extra:
        info.add_extra(name, evidence)
    else:
        info.add("pypi", name, evidence)


def _requirement_list(info: DirInfo, items: object, where: str, *, extra: bool = False) -> None:
    specs = [item for item in items if isinstance(item, str)] if isinstance(items, list) else []
    for name in requirement_names(specs):
        _declare(info, name, f"{where} {name}", extra)


def _dependency_table(info: DirInfo, table: object, where: str, *, extra: bool = False) -> None:
    """A Poetry or Pipenv table: the keys are the project names."""
    for key in as_dict(table):
        if key.lower() != "python":
            _declare(info, canonicalize_name(key), f"{where}.{key}", extra)


def requirements_txt(info: DirInfo, rel: str, text: str) -> None:
    # Only requirement lines count toward the cap, not comments or options (pip's --hash lines).
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    for name in requirement_names(line for line in lines if line and not line.startswith(_NOT_REQUIREMENTS)):
        info.add("pypi", name, f"{rel}: {name}")


def pyproject_toml(info: DirInfo, rel: str, text: str) -> None:
    data = load_toml(text)
    if data is None:
        return
    info.pyproject = data
    project = as_dict(data.get("project"))
    _requirement_list(info, project.get("dependencies"), f"{rel}: project.dependencies")
    for group, items in as_dict(project.get("optional-dependencies")).items():
        _requirement_list(info, items, f"{rel}: project.optional-dependencies.{group}", extra=True)
    for group, items in as_dict(data.get("dependency-groups")).items():
        _requirement_list(info, items, f"{rel}: dependency-groups.{group}", extra=True)
    tool = as_dict(data.get("tool"))
    poetry = as_dict(tool.get("poetry"))
    _dependency_table(info, poetry.get("dependencies"), f"{rel}: tool.poetry.dependencies")
    _dependency_table(info, poetry.get("dev-dependencies"), f"{rel}: tool.poetry.dev-dependencies", extra=True)
    for group, body in as_dict(poetry.get("group")).items():
        deps = as_dict(body).get("dependencies")
        _dependency_table(info, deps, f"{rel}: tool.poetry.group.{group}.dependencies", extra=True)
    _requirement_list(info, as_dict(tool.get("uv")).get("dev-dependencies"), f"{rel}: tool.uv", extra=True)
    for group, items in as_dict(as_dict(tool.get("pdm")).get("dev-dependencies")).items():
        _requirement_list(info, items, f"{rel}: tool.pdm.dev-dependencies.{group}", extra=True)


def pipfile(info: DirInfo, rel: str, text: str) -> None:
    data = load_toml(text)
    if data is not None:
        _dependency_table(info, data.get("packages"), f"{rel}: packages")
        _dependency_table(info, data.get("dev-packages"), f"{rel}: dev-packages", extra=True)


def _literal_strings(node: ast.expr | None) -> list[str]:
    if not isinstance(node, ast.List | ast.Tuple):
        return []
    return [elt.value for elt in node.elts if isinstance(elt, ast.Constant) and isinstance(elt.value, str)]


def setup_py(info: DirInfo, rel: str, text: str) -> None:
    """`install_requires=[...]` given to setup(), or a list assigned to a name `install_requires`."""
    try:
        tree = ast.parse(text, filename=rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # not Python 3, or too deep to read: declares nothing we can see
    for node in ast.walk(tree):
        value: ast.expr | None = None
        if (isinstance(node, ast.keyword) and node.arg == "install_requires") or (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "install_requires" for t in node.targets)
        ):
            value = node.value
        for name in requirement_names(_literal_strings(value)):
            info.add("pypi", name, f"{rel}: install_requires {name}")


def setup_cfg(info: DirInfo, rel: str, text: str) -> None:
    """`[options] install_requires`, one requirement a line."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=rel)
    except configparser.Error:
        return
    for name in requirement_names(parser.get("options", "install_requires", fallback="").splitlines()):
        info.add("pypi", name, f"{rel}: install_requires {name}")
