"""Make a foreign string safe to show on a terminal: one function, used by every face.

Folder and file names, manifest fields, model-written labels and handoffs, and error
messages did not come from our code: an escape sequence in them could clear the screen,
retitle the window or write the clipboard, a newline could forge a log line, and a
right-to-left override could make text read differently than it is. `printable` shows
every such character as a visible escape (`\\x1b`, `\\n`, `\\u202e`) so one line stays
one line and what is shown is what is there; text that holds none is returned as is.

`str.isprintable` is close but too strict (it rejects every non-ASCII space) and Rich's
`strip_control_codes` drops only five codes, so the table here says exactly what is escaped.
"""

from __future__ import annotations

import os
import re
from typing import Any

# C0 and C1 controls and DEL; line and paragraph separators; bidi embeddings, overrides and
# isolates; the invisible marks that turn text around or hide it (zero-width, BOM, soft hyphen
# is harmless and kept); and lone surrogates, which a file name with non-UTF-8 bytes becomes.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\ufeff"
    "\ufff9-\ufffb\ud800-\udfff\t\n]"
)
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(value: Any, *, multiline: bool = False) -> str:
    """`value` as text with every control, separator and bidi character shown as an escape.

    With `multiline`, newlines and tabs are kept (for a viewer of several lines); everything
    else is escaped the same way.
    """
    text = value if isinstance(value, str) else str(value)
    if _UNSAFE.search(text) is None:
        return text
    if multiline:
        return "\n".join(_UNSAFE.sub(_escape_but_tab, part) for part in text.split("\n"))
    return _UNSAFE.sub(_escape, text)


def _escape_but_tab(match: re.Match[str]) -> str:
    return "\t" if match.group() == "\t" else _escape(match)


def printable_tree(value: Any, *, multiline: bool = False) -> Any:
    """A copy of parsed JSON (dicts, lists, strings) with every string, keys too, made printable."""
    if isinstance(value, str):
        return printable(value, multiline=multiline)
    if isinstance(value, dict):
        return {printable(k): printable_tree(v, multiline=multiline) for k, v in value.items()}
    if isinstance(value, list):
        return [printable_tree(v, multiline=multiline) for v in value]
    return value


_JSON_ESCAPE = re.compile(r"\\[nrtbfu]")


def json_needs_printable(text: str) -> bool:
    """Whether JSON text may hold a string that `printable` would change.

    JSON shows a control character as an escape (`\\u001b`, `\\n`), and may hold bidi or
    separator characters raw: text with neither holds no unsafe string, and is used as it is.
    """
    return _JSON_ESCAPE.search(text) is not None or _UNSAFE.search(text) is not None


def path_text(path: str | os.PathLike[str]) -> str:
    """A path as valid Unicode for JSON files and the model: bytes that are not UTF-8 become `\\xNN`.

    Python gives such bytes as lone surrogates, which no JSON writer or HTTP client accepts.
    """
    try:
        return os.fsencode(path).decode("utf-8", errors="backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file name made
        return os.fspath(path).encode("utf-8", errors="backslashreplace").decode("utf-8")
