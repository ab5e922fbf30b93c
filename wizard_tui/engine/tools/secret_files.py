"""Files that are secrets by name (`.env*`, keys, credential files), and the key names of an env file.

Their values are never read out to a model; what an agent may know of an env file is which
keys it sets (`env_key_names`). A `.example`, `.sample` or `.template` file holds
placeholders for the reader, so it is no secret.
"""

from __future__ import annotations

import re
from typing import Literal

# Files of `NAME=value` lines: their key names may be shown, never their values.
_ENV_FILES = re.compile(
    r"""^(\.env([.\-_].*)?|.*\.env|.*\.env\..*|env\.(local|prod|production|dev|development|staging|test)|
    \.envrc|\.npmrc|\.yarnrc(\.yml)?|\.pypirc|\.netrc|_netrc|\.git-credentials|\.pgpass|\.my\.cnf|\.htpasswd|
    credentials(\.(json|ya?ml|toml|ini|txt))?|secrets?(\..*)?|.*\.secrets?(\..*)?|service-account.*\.json|
    .*\.tfvars(\.json)?|.*\.tfstate(\.backup)?|kubeconfig|\.dockercfg|auth\.json)$""",
    re.IGNORECASE | re.VERBOSE,
)
# Key material: nothing of it is shown (a base64 line ending in `=` would pass for a key name).
_KEY_FILES = re.compile(
    r"^(id_(rsa|dsa|ecdsa|ed25519)(\.pub)?|.*\.(pem|key|p8|p12|pfx|jks|keystore|asc|gpg|kdbx|ovpn|ppk))$",
    re.IGNORECASE,
)
SAFE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")


def secret_kind(*names: str) -> Literal["key", "env"] | None:
    """`key` for key material, `env` for `.env*` and credential files, else None.

    Callers pass both the name asked for and the name a symlink resolves to, so a link
    `notes.txt -> .env` is as secret as `.env` itself.
    """
    kind: Literal["key", "env"] | None = None
    for name in names:
        if name.lower().endswith(SAFE_SUFFIXES):
            continue
        if _KEY_FILES.match(name):
            return "key"
        if _ENV_FILES.match(name):
            kind = "env"
    return kind


def is_secret_file(name: str) -> bool:
    """`.env*`, key material and credential files: their values never leave the tool."""
    return secret_kind(name) is not None


_KEY_LINE = re.compile(r"^(\s*)(export\s+)?([A-Za-z_][A-Za-z0-9_.\-]{0,63})\s*[=:]")
# A comment line of an env or ini file (`# ...`, `; ...`); `//registry/:_authToken=` is no comment.
COMMENT = re.compile(r"^\s*[#;]+\s*")
# Where an unquoted value's inline comment starts (`KEY=value # note`).
_INLINE_COMMENT = re.compile(r"\s+[#;]")
QUOTES = ("'", '"', "`")
MAX_KEY_NAMES = 200


def inside_quotes(value: str) -> str | None:
    """The text inside a value's quotes when it opens and closes them on this line (`"a b" # c` gives `a b`)."""
    quote = value[:1]
    return value[1 : value.index(quote, 1)] if quote in QUOTES and value.count(quote) >= 2 else None


def opens_quote(value: str) -> str | None:
    """The quote a value opens and leaves open on this line (it goes on to later lines), else None."""
    quote = value[:1]
    return quote if quote in QUOTES and value.count(quote) == 1 else None


def env_key_names(text: str) -> tuple[list[str], list[str]]:
    """The key names an env-like file sets (at most 200), and every value in it, to be remembered.

    Lines inside a multi-line value are never taken for key names (they are values, even one
    that starts with `#`). A comment line is no value: only an assignment commented out
    (`# OLD_KEY=value`) gives one, its value. A line that is neither an assignment nor a
    comment (a `.netrc` entry) is remembered whole.
    """
    keys: list[str] = []
    values: list[str] = []
    open_quote: str | None = None
    block_indent: int | None = None
    for line in text.splitlines():
        if open_quote is not None:
            values.append(line.strip())
            if open_quote in line:
                open_quote = None
            continue
        if block_indent is not None:
            if not line.strip() or len(line) - len(line.lstrip()) > block_indent:
                values.append(line.strip())
                continue
            block_indent = None
        if not line.strip():
            continue
        comment = COMMENT.match(line)
        if comment:
            commented = _KEY_LINE.match(line[comment.end() :])
            if commented:
                values.extend(_values_of(line[comment.end() + commented.end() :].strip()))
            continue
        m = _KEY_LINE.match(line)
        if not m:
            values.append(line.strip())
            continue
        if len(keys) < MAX_KEY_NAMES:
            keys.append(m.group(3))
        value = line[m.end() :].strip()
        values.extend(_values_of(value))
        if quote := opens_quote(value):
            open_quote = quote
        elif value in ("|", ">", "|-", ">-", "|+", ">+"):
            block_indent = len(m.group(1))
    return keys, values


def _values_of(rest: str) -> list[str]:
    """What may be the value of `KEY=rest`: all of it, and what a dotenv parser takes for the value
    (inside the quotes; or before an inline comment), so a copy of the value alone is known too."""
    found = [rest]
    inside = inside_quotes(rest)
    if inside is not None:
        found.append(inside)
    elif _INLINE_COMMENT.search(rest):
        found.append(_INLINE_COMMENT.split(rest, maxsplit=1)[0])
    return found
