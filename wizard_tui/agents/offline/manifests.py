"""Declaring a package in a manifest by editing its text, the way a person would.

Each function returns the manifest's new text, or None when the file has a shape it does
not recognise; the caller then skips with a reason rather than risk a broken manifest.
Every result is parsed back (json, tomllib, packaging) and compared with what was meant,
so an edit that parses but means something else is refused too. Text edits, not a
rewrite with a TOML or JSON library: the user's formatting and comments stay as they were
(tomlkit could keep them for TOML, but a line insertion checked by tomllib needs no
extra dependency).
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from wizard_tui.agents.offline.changes import clear_row

# -- package.json ----------------------------------------------------------------------------


def json_declared(text: str) -> set[str] | None:
    """Every package a package.json declares (any dependency kind), or None if it is not JSON."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    names: set[str] = set()
    for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        section = data.get(key)
        if isinstance(section, dict):
            names.update(section)
    return names


def _top_level_members(text: str) -> tuple[int, int, dict[str, tuple[int, int]]] | None:
    """The top object's `{` and `}` offsets, and each member's value span, by a string-aware scan."""
    depth = 0
    start = end = -1
    members: dict[str, tuple[int, int]] = {}
    i = 0
    key: str | None = None
    value_start = -1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if depth == 1 and key is None and value_start < 0:
                key = json.loads(text[i : j + 1])
            i = j + 1
            continue
        if ch == ":" and depth == 1 and key is not None:
            value_start = i + 1
        elif ch in "{[":
            depth += 1
            if depth == 1 and ch == "{":
                start = i
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                end = i
                if key is not None and value_start >= 0:
                    members[key] = (value_start, i)
                break
        elif ch == "," and depth == 1 and key is not None:
            members[key] = (value_start, i)
            key, value_start = None, -1
        i += 1
    if start < 0 or end < 0:
        return None
    return start, end, members


def _indent_unit(text: str) -> str:
    match = re.search(r"\n([ \t]+)\"", text)
    return match.group(1) if match else "  "


def add_json_dependencies(text: str, packages: dict[str, str]) -> str | None:
    """package.json with `packages` added to `dependencies`, in its order and indentation."""
    scanned = _top_level_members(text)
    if scanned is None:
        return None
    _, top_end, members = scanned
    unit = _indent_unit(text)
    if "dependencies" in members:
        value_start, value_end = members["dependencies"]
        value = text[value_start:value_end]
        open_at = value_start + value.index("{") if "{" in value else -1
        close_at = value_start + value.rindex("}") if "}" in value else -1
        if open_at < 0 or close_at < open_at:
            return None
        new_block = _merge_entries(text[open_at + 1 : close_at], packages, unit)
        if new_block is None:
            return None
        result = text[: open_at + 1] + new_block + text[close_at:]
    else:
        # A new member after the last one, before the top object's closing brace.
        body = text[:top_end].rstrip()
        entries = ",\n".join(f"{unit * 2}{json.dumps(n)}: {json.dumps(v)}" for n, v in sorted(packages.items()))
        comma = "," if not body.endswith("{") else ""
        result = f'{body}{comma}\n{unit}"dependencies": {{\n{entries}\n{unit}}}\n' + text[top_end:]
    return result if _json_has(result, packages) else None


def _merge_entries(block: str, packages: dict[str, str], unit: str) -> str | None:
    """The inside of a dependencies object with `packages` inserted, one entry per line."""
    lines = [ln for ln in block.split("\n") if ln.strip()]
    if not lines:
        entries = ",\n".join(f"{unit * 2}{json.dumps(n)}: {json.dumps(v)}" for n, v in sorted(packages.items()))
        return f"\n{entries}\n{unit}"
    entry = re.compile(r'^(\s*)"((?:[^"\\]|\\.)+)"\s*:\s*"(?:[^"\\]|\\.)*"\s*,?\s*$')
    parsed = [entry.match(ln) for ln in lines]
    if not all(parsed):
        return None  # several entries on a line, or comments: not a shape we edit
    indent = parsed[0].group(1) if parsed[0] else unit * 2
    names = [m.group(2) for m in parsed if m]
    rows = [(name, ln.rstrip().rstrip(",")) for name, ln in zip(names, lines, strict=True)]
    keep_sorted = names == sorted(names)
    for name, version in sorted(packages.items()):
        row = (name, f"{indent}{json.dumps(name)}: {json.dumps(version)}")
        if keep_sorted:
            at = next((k for k, (n, _) in enumerate(rows) if n > name), len(rows))
            rows.insert(at, row)
        else:
            rows.append(row)
    # Rows carry their own indentation: keep what surrounds them up to the line breaks.
    lead = block[: len(block) - len(block.lstrip())]
    lead = lead[: lead.rfind("\n") + 1]
    trail = block[len(block.rstrip()) :]
    return lead + ",\n".join(r for _, r in rows) + trail


def _json_has(text: str, packages: dict[str, str]) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    deps = data.get("dependencies") if isinstance(data, dict) else None
    return isinstance(deps, dict) and all(deps.get(n) == v for n, v in packages.items())


# -- Python requirement lists ----------------------------------------------------------------


def requirement_name(line: str) -> str | None:
    """The canonical name a requirement line declares, or None for comments, options and URLs."""
    line = line.split(" #", 1)[0].strip()
    if not line or line.startswith(("#", "-")):
        return None
    try:
        return canonicalize_name(Requirement(line).name)
    except InvalidRequirement:
        return None


def requirements_declare(text: str, requirement: str) -> str | None:
    """requirements.txt text with `requirement` added, in sorted place when the list is sorted."""
    name = canonicalize_name(Requirement(requirement).name)
    lines = text.split("\n")
    names = [(k, n) for k, n in ((k, requirement_name(ln)) for k, ln in enumerate(lines)) if n]
    if any(n == name for _, n in names):
        return None
    order = [n for _, n in names]
    if names and order == sorted(order):
        at = next((k for k, n in names if n > name), names[-1][0] + 1)
    else:
        at = len(lines)
        while at > 0 and not lines[at - 1].strip():
            at -= 1
    # Not right above a line holding a secret (an index URL with a token in it): a patch could
    # not show that change, and a requirement reads the same anywhere in the list.
    clear = clear_row(lines, [at, *(k + 1 for k, _ in reversed(names)), *(k for k, _ in names)])
    lines.insert(at if clear is None else clear, requirement)
    return "\n".join(lines)


# -- pyproject.toml --------------------------------------------------------------------------


def load_toml(text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _table_span(text: str, header: str) -> tuple[int, int] | None:
    """Offsets of a TOML table's body: from after its `[header]` line to the next table header."""
    match = re.search(rf"^\[{re.escape(header)}\][ \t]*(#.*)?$", text, re.M)
    if match is None:
        return None
    start = match.end() + 1 if match.end() < len(text) else match.end()
    following = re.search(r"^\[", text[start:], re.M)
    return start, start + following.start() if following else len(text)


def pep621_declare(text: str, requirement: str) -> str | None:
    """pyproject.toml with `requirement` added to `[project] dependencies` (created when absent)."""
    span = _table_span(text, "project")
    if span is None:
        return None
    start, end = span
    body = text[start:end]
    array = re.search(r"^dependencies\s*=\s*\[", body, re.M)
    if array is None:
        stripped = body.rstrip()
        result = text[: start + len(stripped)] + f'\ndependencies = ["{requirement}"]' + text[start + len(stripped) :]
        if not stripped:
            result = text[:start] + f'dependencies = ["{requirement}"]\n' + text[start:]
    else:
        open_at = start + array.end() - 1
        close_at = _closing_bracket(text, open_at)
        if close_at is None:
            return None
        inner = text[open_at + 1 : close_at]
        if "\n" in inner:
            lines = inner.split("\n")
            rows = [k for k, ln in enumerate(lines) if ln.strip().startswith(('"', "'"))]
            indent = re.match(r"[ \t]*", lines[rows[0]]).group(0) if rows else "    "  # type: ignore[union-attr]
            at = 1
            if rows:
                last = re.match(r"^([ \t]*(?:\"[^\"]*\"|'[^']*'))([ \t]*,)?(.*)$", lines[rows[-1]])
                if last is None:
                    return None
                if not last.group(2):
                    lines[rows[-1]] = f"{last.group(1)},{last.group(3)}"
                at = rows[-1] + 1
            lines.insert(at, f'{indent}"{requirement}",')
            new_inner = "\n".join(lines)
        else:
            items = inner.strip().rstrip(",")
            new_inner = f'{items}, "{requirement}"' if items else f'"{requirement}"'
        result = text[: open_at + 1] + new_inner + text[close_at:]
    data = load_toml(result)
    deps = (data or {}).get("project", {}).get("dependencies", [])
    return result if isinstance(deps, list) and requirement in deps else None


def _closing_bracket(text: str, open_at: int) -> int | None:
    depth = 0
    i = open_at
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            end = text.find(ch, i + 1)
            if end < 0:
                return None
            i = end + 1
            continue
        if ch == "#":
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def poetry_declare(text: str, name: str, constraint: str) -> str | None:
    """pyproject.toml with `name = "constraint"` at the end of `[tool.poetry.dependencies]`."""
    return table_declare(text, "tool.poetry.dependencies", name, constraint)


def table_declare(text: str, table: str, name: str, constraint: str) -> str | None:
    """TOML text with `name = "constraint"` at the end of `[table]` (poetry's, a Pipfile's)."""
    span = _table_span(text, table)
    if span is None:
        return None
    start, end = span
    body = text[start:end].rstrip()
    insert_at = start + len(body)
    line = f'{name} = "{constraint}"'
    result = text[:insert_at] + ("\n" if body else "") + line + text[insert_at:]
    if not body:
        result = text[:start] + line + "\n" + text[start:]
    data: Any = load_toml(result) or {}
    for key in table.split("."):
        data = data.get(key, {}) if isinstance(data, dict) else {}
    return result if isinstance(data, dict) and data.get(name) == constraint else None


def pyproject_declared(data: dict[str, Any]) -> set[str]:
    """Canonical names of every runtime dependency a parsed pyproject declares (PEP 621 or poetry)."""
    names: set[str] = set()
    for entry in data.get("project", {}).get("dependencies", []) or []:
        if isinstance(entry, str):
            found = requirement_name(entry)
            if found:
                names.add(found)
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
    if isinstance(poetry, dict):
        names.update(canonicalize_name(n) for n in poetry)
    return names
