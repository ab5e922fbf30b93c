"""Does a changed file still parse? One answer per kind of file, with a real parser each.

Python with `ast`, JavaScript and TypeScript with tree-sitter, JSON with `json`, TOML with
`tomllib`, requirement lists with `packaging`. Other files (HTML, markdown, CSS) are not
checked: the wizard's proposals never change them.
"""

from __future__ import annotations

import ast
import json
import tomllib
from pathlib import PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement

from wizard_tui.agents.offline.jsparse import Source, grammar_for


def _jsx_tags_mismatch(src: Source) -> str | None:
    """tree-sitter accepts `<a></b>`; a compiler does not, so the tag names are compared here."""
    for node in src.walk():
        if node.type != "jsx_element":
            continue
        opening = node.child_by_field_name("open_tag")
        closing = node.child_by_field_name("close_tag")
        if opening is None or closing is None:
            continue
        open_name = opening.child_by_field_name("name")
        close_name = closing.child_by_field_name("name")
        left = src.text_of(open_name) if open_name is not None else ""
        right = src.text_of(close_name) if close_name is not None else ""
        if left != right:
            return f"{src.path}:{closing.start_point[0] + 1}: <{left}> is closed by </{right}>"
    return None


def check_file(path: str, text: str) -> str | None:
    """Why `text` does not parse as the kind of file `path` names, or None when it does."""
    name = PurePosixPath(path).name
    suffix = PurePosixPath(path).suffix.lower()
    if suffix == ".py":
        try:
            ast.parse(text, filename=path)
        except SyntaxError as exc:
            return f"{path}:{exc.lineno}: {exc.msg}"
        return None
    if grammar_for(path):
        src = Source(text, path)
        if not src.ok:
            bad = next((n for n in src.walk() if n.type == "ERROR" or n.is_missing), src.root)
            return f"{path}:{bad.start_point[0] + 1}: does not parse as {grammar_for(path)}"
        return _jsx_tags_mismatch(src)
    if suffix == ".json":
        try:
            json.loads(text)
        except ValueError as exc:
            return f"{path}: invalid JSON ({exc})"
        return None
    if suffix == ".toml":
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            return f"{path}: invalid TOML ({exc})"
        return None
    if name.startswith("requirements") and suffix in (".txt", ".in"):
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.split(" #", 1)[0].strip()
            if not line or line.startswith(("#", "-")):
                continue
            try:
                Requirement(line)
            except InvalidRequirement as exc:
                return f"{path}:{number}: invalid requirement ({exc})"
        return None
    return None
