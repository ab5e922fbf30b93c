"""Markdown files with a YAML front matter block: the prompts and the framework notes.

One anchored regular expression splits the block off and PyYAML's safe loader (libyaml's
when built with it) reads it. `python-frontmatter` would do the same split with the same
loader, and add a dependency; it also reads a file without a block as empty metadata, where
an author needs the error that names the file and the fix. Errors are one sentence.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

# libyaml's safe loader when PyYAML was built with it (its wheels are): parsing the prompts'
# front matter in pure Python was half the fixed cost of a small run (bench_machinery).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n(.*)\Z", re.DOTALL)


class FrontMatterError(Exception):
    """The file cannot be read, or its front matter is missing or not a YAML mapping."""


def read_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """The front matter's fields and the markdown body after it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrontMatterError(f"{path}: cannot be read ({exc})") from exc
    match = _FRONT_MATTER.match(text)
    if not match:
        raise FrontMatterError(f"{path}: must start with a YAML front matter block between '---' lines")
    try:
        raw = yaml.load(match.group(1), Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"{path}: the front matter is not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise FrontMatterError(f"{path}: the front matter must be a mapping of fields")
    return raw, match.group(2)
