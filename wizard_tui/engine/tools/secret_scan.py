"""The secret scanner: which values in one line of text are secrets, and the marker that stands for each.

Values are found by Yelp's `detect-secrets` plugins (cloud, registry, chat and payment
tokens, private keys, JWTs, basic-auth URLs, secret-named assignments, high-entropy
strings), plus a few token shapes it lacks, our rule for `NAME = value` where the name
says secret, and our rule for dotenv-shaped files under any name. Each value becomes a
marker naming its kind, `[secret:aws-access-key:3f9a1c02]`, whose suffix is a keyed hash of
the value (the key is random per process): the same value gets the same marker in every
read, window or search, and nothing about the value can be learnt from it.

The plugins are called through `analyze_string`, never `analyze_line`, which may verify a
secret over the network. Findings are cached per line: a file read twice is scanned once.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from wizard_tui.domain.secret_marker import SECRET_MARKER
from wizard_tui.engine.tools.secret_files import COMMENT, SAFE_SUFFIXES, inside_quotes, opens_quote

_KEY = os.urandom(32)
MARKER = SECRET_MARKER  # the domain's pattern: the offline agent recognises the same markers

# Token shapes detect-secrets 1.5 does not know; each is a whole, unmistakable value.
_EXTRA_SHAPES: list[tuple[str, re.Pattern[str]]] = [
    ("json-web-token", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*")),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("anthropic-key", re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{20,}")),
    ("openai-key", re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{32,}")),
    ("posthog-personal-key", re.compile(r"\bph[xs]_[A-Za-z0-9]{20,}\b")),
    ("stripe-key", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b")),
    ("github-token", re.compile(r"\b(?:github_pat_[A-Za-z0-9_]{30,}|gh[pousr]_[A-Za-z0-9_]{30,})\b")),
    ("gitlab-token", re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}\b")),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}")),
    ("huggingface-token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    ("npm-token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("gcp-private-key-id", re.compile(r'"private_key_id"\s*:\s*"([0-9a-f]{40})"')),
]
# `NAME = value` where the name says secret: the value goes, whatever the file type or quoting.
_SECRET_NAME = (
    r"(?:[A-Za-z0-9_.\-]*(?:secret|passw(?:or)?d|passwd|pwd|token|api[_\-]?key|apikey|access[_\-]?key|"
    r"private[_\-]?key|client[_\-]?secret|credential|auth|signing[_\-]?key|encryption[_\-]?key|salt|dsn|"
    r"database[_\-]?url|db[_\-]?url|conn(?:ection)?[_\-]?string)[A-Za-z0-9_.\-]*)"
)
_SECRET_ASSIGNMENT = re.compile(
    rf"""(?ix)^\s*(?:export\s+|set\s+|const\s+|let\s+|var\s+|final\s+)?["']?{_SECRET_NAME}["']?\s*
    (?::=|=>|=|:)\s*(?P<quote>["'`]?)(?P<value>[^\s"'`,;#]{{4,}})"""
)
# `NAME=value`, not a requirement pin (`Django==5.0`, `pkg>=1`): the value starts with no operator.
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.\-]{0,63}\s*=\s*(?P<value>[^\s=<>~!].*?)\s*$")
PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
# Values that are placeholders or references, not secrets (`${TOKEN}`, `process.env.X`, `<your-key>`).
_NOT_A_VALUE = re.compile(
    r"""^(?:\$\{?[A-Za-z_]|process\.env|os\.(?:environ|getenv)|env\(|ENV\[|getenv|import\.meta|settings\.|config\.|
    <[^>]*>$|\{\{|%\(|true$|false$|null$|none$|undefined$|xxx+$|\*+$|changeme$|your[_\-]|example|placeholder|
    \[secret:)""",
    re.IGNORECASE | re.VERBOSE,
)
# A version or requirement spec, the rest of `dj-database-url==2.1.0` or `"next-auth": "^4.24"`:
# packages named after what they handle are pinned in every manifest, and a version is no secret.
_VERSION = re.compile(r"^[=<>~!^]*\s*v?\d+(?:\.[\dx*]+)+(?:[-+][\w.]+)?$|^[=<>~!^]+\s*v?\d+$")
# Program source: an unquoted `token = x` there names a variable, so only quoted values count.
_PROGRAM_SUFFIXES = frozenset(
    [
        ".py",
        ".pyi",
        ".js",
        ".jsx",
        ".mjs",
        ".cjs",
        ".ts",
        ".tsx",
        ".mts",
        ".cts",
        ".vue",
        ".svelte",
        ".astro",
        ".rb",
        ".go",
        ".java",
        ".kt",
        ".kts",
        ".scala",
        ".php",
        ".rs",
        ".cs",
        ".swift",
        ".dart",
        ".ex",
        ".exs",
        ".erl",
        ".clj",
        ".lua",
        ".pl",
        ".r",
        ".jl",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".m",
        ".mm",
        ".gradle",
    ]
)
# Files whose lines are code or structured data: a `NAME = value` there is not a dotenv line.
_CODE_SUFFIXES = _PROGRAM_SUFFIXES | frozenset(
    [
        ".json",
        ".jsonc",
        ".yaml",
        ".yml",
        ".toml",
        ".xml",
        ".html",
        ".htm",
        ".css",
        ".scss",
        ".less",
        ".md",
        ".mdx",
        ".rst",
        ".sql",
        ".graphql",
        ".lock",
    ]
)
# An unquoted value that is a number, a flag or an expression (`settings.KEY`, `fn(`) is no secret.
_EXPRESSION = re.compile(r"^(?:\d+(?:\.\d+)?|[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+|[A-Za-z_]\w*\(.*)$")
MAX_SCAN_LINE = 4_000
_SKIPPED_PLUGINS = {"IPPublicDetector"}  # an address is not a secret


def _slug(kind: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")[:40] or "secret"


def marker_for(kind: str, value: str) -> str:
    """The marker that stands for `value` in everything a model is shown: its kind and a keyed hash."""
    digest = hmac.new(_KEY, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:8]
    return f"[secret:{_slug(kind)}:{digest}]"


@dataclass(frozen=True)
class _Plugin:
    kind: str
    scan: Callable[[str, str], Iterable[str]]  # (line, filename) -> secret values
    entropy: bool


# A line none of the scanners could flag: no long token-like run, no secret-ish word, no
# credentials in a URL, no key block. Most lines of code are skipped by this one search.
_CANDIDATE = re.compile(
    r"[A-Za-z0-9+/=_\-.~]{16,}|pass|secret|key|token|auth|cred|pwd|priv|sign|salt|dsn|://[^\s/]*@|-----BEGIN|['\"][0-9a-fA-F]{8,}",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _plugins() -> tuple[_Plugin, ...]:
    """The detect-secrets plugins, built once (importing them costs a few hundred ms)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.keyword import (
        QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
        REGEX_BY_FILETYPE,
        KeywordDetector,
    )
    from detect_secrets.util.filetype import determine_file_type

    # Its answer depends on the name's suffix only, and working it out costs more than the
    # keyword scan of a short line: once per file type (the names here are `file_type_key`s).
    file_type_of = lru_cache(maxsize=256)(determine_file_type)
    out: list[_Plugin] = []
    mapping: dict[str, Any] = get_mapping_from_secret_type_to_class()
    for secret_type, cls in mapping.items():
        if cls.__name__ in _SKIPPED_PLUGINS:
            continue
        plugin = cls()
        if hasattr(plugin, "entropy_limit"):
            # analyze_string yields every quoted string; the entropy limit is what makes it a secret.
            entropic = plugin

            def scan_entropy(line: str, filename: str, plugin: Any = entropic) -> Iterable[str]:
                return [
                    value
                    for value in plugin.analyze_string(line)
                    if plugin.calculate_shannon_entropy(value) > plugin.entropy_limit
                ]

            out.append(_Plugin(secret_type, scan_entropy, True))
        elif isinstance(plugin, KeywordDetector):
            keyword = plugin

            def scan_keyword(line: str, filename: str, keyword: Any = keyword) -> Iterable[str]:
                groups = REGEX_BY_FILETYPE.get(file_type_of(filename), QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
                return keyword.analyze_string(line, denylist_regex_to_group=groups)  # type: ignore[no-any-return]

            out.append(_Plugin(secret_type, scan_keyword, False))
        else:

            def scan_plain(line: str, filename: str, plugin: Any = plugin) -> Iterable[str]:
                return plugin.analyze_string(line)  # type: ignore[no-any-return]

            out.append(_Plugin(secret_type, scan_plain, False))
    # The most specific kind names a value: token shapes first, then keywords, entropy last.
    out.sort(key=lambda p: (p.entropy, p.kind == "Secret Keyword"))
    return tuple(out)


def warm_up() -> None:
    """Import and build the scanner now (in a worker thread), not on the first tool call."""
    _plugins()


def is_value(value: str) -> bool:
    """Long enough to be a secret, and not a placeholder, a reference or a version."""
    return len(value) >= 4 and not _NOT_A_VALUE.match(value) and not _VERSION.match(value)


def _entropy_false_positive(value: str) -> bool:
    from detect_secrets.filters.heuristic import is_potential_uuid, is_sequential_string, is_templated_secret

    return bool(is_potential_uuid(value) or is_sequential_string(value) or is_templated_secret(value))


def dotenv_shaped(lines: list[str], filename: str) -> bool:
    """A file that is a `.env` under another name: mostly `NAME=value` lines, and not code."""
    name = PurePosixPath(filename).name.lower()
    if PurePosixPath(name).suffix in _CODE_SUFFIXES or name.endswith(SAFE_SUFFIXES):
        return False  # code, or a template whose values are placeholders for the reader
    meaningful = [ln for ln in lines[:500] if ln.strip() and not ln.lstrip().startswith(("#", ";", "//"))]
    assignments = sum(1 for ln in meaningful if _DOTENV_LINE.match(ln))
    return assignments >= 1 and assignments * 10 >= len(meaningful) * 6


@lru_cache(maxsize=4_096)
def file_type_key(filename: str) -> str:
    """The part of a file name the keyword scanner's rules depend on (its suffix), for the cache."""
    return "file" + (PurePosixPath(filename).suffix.lower()[:12] or ".txt")


@lru_cache(maxsize=65_536)
def _scan(line: str, filename: str) -> tuple[tuple[str, str], ...]:
    """The scanner's findings on one line, cached: a file read twice is scanned once."""
    found: dict[str, str] = {}
    for kind, shape in _EXTRA_SHAPES:
        for match in shape.finditer(line):
            found.setdefault(match.group(match.lastindex or 0), kind)
    for plugin in _plugins():
        try:
            values = list(plugin.scan(line, filename))
        except Exception:  # a plugin bug must not let a line through unscanned: treat it all as secret
            values = [line.strip()]
        for value in values:
            if not isinstance(value, str) or not is_value(value) or MARKER.search(value):
                continue
            if plugin.entropy and _entropy_false_positive(value):
                continue
            found.setdefault(value, plugin.kind)
    return tuple(found.items())


@lru_cache(maxsize=65_536)
def find_in_line(scanned: str, file_type: str, dotenv: bool) -> tuple[tuple[str, str], ...]:
    """The secret values in one line (cut at MAX_SCAN_LINE) as (value, kind) pairs.

    Cached: the patch checks scan a file again after each edit. `file_type` is `file_type_key`'s.
    """
    found = dict(_scan(scanned, file_type)) if _CANDIDATE.search(scanned) else {}
    assignment = _SECRET_ASSIGNMENT.match(scanned)
    if assignment and is_value(assignment.group("value")):
        value, quoted = assignment.group("value"), bool(assignment.group("quote"))
        program = PurePosixPath(file_type).suffix in _PROGRAM_SUFFIXES
        if quoted or (not program and not _EXPRESSION.match(value)):
            found.setdefault(value, "secret-assignment")
    if dotenv:
        # An assignment commented out still holds a value (`# OLD_KEY=value`); the comment's words stay.
        env = _DOTENV_LINE.match(scanned) or _DOTENV_LINE.match(COMMENT.sub("", scanned, count=1))
        if env:
            raw = env.group("value")
            # A quoted value ends at its quote (`# note` after it stays); an unquoted one is all of
            # the rest: some parsers take `KEY=a # b` for the value `a # b`.
            inside = inside_quotes(raw)
            value = inside if inside is not None else raw.strip().strip("'\"")
            if is_value(value) and not MARKER.fullmatch(value):
                found.setdefault(value, "env-value")
    return tuple(found.items())


def dotenv_opens_quote(line: str) -> str | None:
    """The quote a dotenv value opens on this line and closes on a later one (`KEY="first line`), else None."""
    env = _DOTENV_LINE.match(line)
    if env is None:
        return None
    return opens_quote(env.group("value"))
