"""The model never sees a secret value: file-name rules, and a scanner over every tool result.

Two layers, both here so every tool uses the same rules:

- **Files that are secrets by name** (`.env*`, keys, credential files): their values are
  never read out; what an agent may know of an env file is which keys it sets.
- **Secret values anywhere else**, found line by line by Yelp's `detect-secrets` plugins
  (cloud, registry, chat and payment tokens, private keys, JWTs, basic-auth URLs,
  secret-named assignments, high-entropy strings), plus a few token shapes it lacks and our
  rule for dotenv-shaped files under any name. Each value becomes a marker naming its kind,
  `[secret:aws-access-key:3f9a1c02]`; a line stays a line, so line numbers do not move.

The marker's suffix is a keyed hash of the value (the key is random per process), so the same
value gets the same marker in every read, window or search, and nothing about the value can
be learnt from it. `SecretVault` remembers marker -> value for the run, in memory only:
the edit tools use it to put a value back where the model kept a marker of it (see
`SecretVault.restore`), and every string a model sends is scrubbed of the values seen so far.

The plugins are called through `analyze_string`, never `analyze_line`, which may verify a
secret over the network.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from wizard_tui.domain import nofollow
from wizard_tui.domain.walk import WalkBudget, iter_files

MAX_INVENTORY_BYTES = 512 * 1024
# secrets_by_line answers kept (each a digest and the numbers of the secret lines: small).
MAX_CACHED_TEXTS = 1_024

# -- secret files by name ---------------------------------------------------------------------

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
_SAFE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")


def secret_kind(*names: str) -> Literal["key", "env"] | None:
    """`key` for key material, `env` for `.env*` and credential files, else None.

    Callers pass both the name asked for and the name a symlink resolves to, so a link
    `notes.txt -> .env` is as secret as `.env` itself.
    """
    kind: Literal["key", "env"] | None = None
    for name in names:
        if name.lower().endswith(_SAFE_SUFFIXES):
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
MAX_KEY_NAMES = 200


def env_key_names(text: str) -> tuple[list[str], list[str]]:
    """The key names an env-like file sets (at most 200), and every value line, to be remembered.

    Lines inside a multi-line value are never taken for key names (they are values).
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
        m = _KEY_LINE.match(line)
        if not m:
            values.append(line.strip())
            continue
        if len(keys) < MAX_KEY_NAMES:
            keys.append(m.group(3))
        value = line[m.end() :].strip()
        values.append(value)
        if value[:1] in ("'", '"', "`") and value.count(value[0]) == 1:
            open_quote = value[0]
        elif value in ("|", ">", "|-", ">-", "|+", ">+"):
            block_indent = len(m.group(1))
    return keys, values


# -- secret values in any text ------------------------------------------------------------------

_KEY = os.urandom(32)
MARKER = re.compile(r"\[secret:[a-z0-9-]{1,40}:[0-9a-f]{8}\]")

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
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
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
_MAX_SCAN_LINE = 4_000
_PLAIN_VALUE = re.compile(r"^(?:[a-z]+|[A-Z]+|[a-z_\-]+|\d+|https?://[^@\s]*|[a-z]+(?:\.[a-z]+)+|/[\w/.\-]*)$")
_SKIPPED_PLUGINS = {"IPPublicDetector"}  # an address is not a secret


def _slug(kind: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")[:40] or "secret"


def marker_for(kind: str, value: str) -> str:
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
                groups = REGEX_BY_FILETYPE.get(determine_file_type(filename), QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
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


def _is_value(value: str) -> bool:
    return len(value) >= 4 and not _NOT_A_VALUE.match(value) and not _VERSION.match(value)


def _entropy_false_positive(value: str) -> bool:
    from detect_secrets.filters.heuristic import is_potential_uuid, is_sequential_string, is_templated_secret

    return bool(is_potential_uuid(value) or is_sequential_string(value) or is_templated_secret(value))


def dotenv_shaped(lines: list[str], filename: str) -> bool:
    """A file that is a `.env` under another name: mostly `NAME=value` lines, and not code."""
    name = PurePosixPath(filename).name.lower()
    if PurePosixPath(name).suffix in _CODE_SUFFIXES or name.endswith(_SAFE_SUFFIXES):
        return False  # code, or a template whose values are placeholders for the reader
    meaningful = [ln for ln in lines[:500] if ln.strip() and not ln.lstrip().startswith(("#", ";", "//"))]
    assignments = sum(1 for ln in meaningful if _DOTENV_LINE.match(ln))
    return assignments >= 1 and assignments * 10 >= len(meaningful) * 6


@lru_cache(maxsize=4_096)
def _file_type_key(filename: str) -> str:
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
            if not isinstance(value, str) or not _is_value(value) or MARKER.search(value):
                continue
            if plugin.entropy and _entropy_false_positive(value):
                continue
            found.setdefault(value, plugin.kind)
    return tuple(found.items())


@lru_cache(maxsize=65_536)
def _find(scanned: str, file_type: str, dotenv: bool) -> tuple[tuple[str, str], ...]:
    """`SecretVault.find` on one line, cached: the patch checks scan a file again after each edit."""
    found = dict(_scan(scanned, file_type)) if _CANDIDATE.search(scanned) else {}
    assignment = _SECRET_ASSIGNMENT.match(scanned)
    if assignment and _is_value(assignment.group("value")):
        value, quoted = assignment.group("value"), bool(assignment.group("quote"))
        program = PurePosixPath(file_type).suffix in _PROGRAM_SUFFIXES
        if quoted or (not program and not _EXPRESSION.match(value)):
            found.setdefault(value, "secret-assignment")
    if dotenv:
        env = _DOTENV_LINE.match(scanned)
        if env:
            value = env.group("value").strip().strip("'\"")
            if _is_value(value) and not MARKER.fullmatch(value):
                found.setdefault(value, "env-value")
    return tuple(found.items())


class Redacted(str):
    """Text that has been through the scanner already: the pass over every tool result skips it."""

    __slots__ = ()


@dataclass
class SecretVault:
    """What one run knows of secret values: marker -> value, in memory only, never written."""

    values: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _sorted: list[tuple[str, str]] = field(default_factory=list, repr=False)
    # secrets_by_line's last answers: (file name, text digest) -> (values known then, answer).
    _by_line: dict[tuple[str, bytes], tuple[int, dict[int, frozenset[str]]]] = field(default_factory=dict, repr=False)

    def _remember(self, kind: str, value: str) -> str:
        marker = marker_for(kind, value)
        with self._lock:
            self.values[marker] = value
        return marker

    def remember_values(self, kind: str, values: Iterable[str]) -> None:
        """Values the run knows are secret (an env file's), so no model-written string carries them.

        Only values that could be secrets: a port, a flag, a plain word or a URL without
        credentials is no secret, and hiding every `development` would hide ordinary code.
        """
        for raw in values:
            value = raw.strip().strip("'\"`")
            if len(value) >= 8 and _is_value(value) and not _PLAIN_VALUE.match(value):
                self._remember(kind, value)

    # -- redaction of what the model is shown -------------------------------------------

    def redact_lines(self, lines: list[str], filename: str = "", *, dotenv: bool | None = None) -> list[str]:
        """Each secret value replaced by its marker; as many lines out as in.

        `dotenv` (decided from the lines and the name when not given) redacts every value of a
        `NAME=value` line: a file shaped like a `.env` is treated as one, whatever it is called.
        Every value the finder flags anywhere in `lines` is learnt first, so a copy of it on an
        earlier line, where nothing marks it as secret, is hidden too.
        """
        if dotenv is None:
            dotenv = dotenv_shaped(lines, filename)
        for line in lines:
            for value, kind in self.find(line, filename, dotenv=dotenv).items():
                self._remember(kind, value)
        out: list[str] = []
        in_pem = False
        for line in lines:
            if in_pem or _PEM_BEGIN.search(line):
                begin = _PEM_BEGIN.search(line)
                end = _PEM_END.search(line)
                head = line[: begin.end()] if begin else ""
                rest = line[len(head) :]
                if end and (not begin or end.start() > begin.end()):
                    in_pem = False
                    body = line[len(head) : end.start()]
                    out.append(head + (self._mark("private-key", body) if body.strip() else body) + line[end.start() :])
                else:
                    in_pem = True
                    out.append(head + (self._mark("private-key", rest) if rest.strip() else rest))
                continue
            out.append(self.redact_line(line, filename, dotenv=dotenv))
        return out

    def secrets_by_line(self, text: str, filename: str) -> dict[int, frozenset[str]]:
        """The lines of a file that hold secret values (0-based, cut at `\\n`), with those values.

        The same judgement `read_file` makes on the file (so a line is secret here exactly when
        the model was shown a marker on it): the patch leaves these lines out, and the values
        are what an edit's record must not hold.
        """
        key = (filename, hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest())
        cached = self._by_line.pop(key, None)
        if cached is not None and cached[0] == len(self.values):  # a value learnt since may be in the text
            self._by_line[key] = cached  # the most recently asked goes last: the oldest answer is dropped first
            return cached[1]
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()  # a final newline ends the last line; it starts no new one
        # A key block spans lines: only the full redaction follows it.
        keyed = _PEM_BEGIN.search(text) is not None
        found = self._lines_by_redaction(lines, filename) if keyed else self._lines(text, lines, filename)
        if len(self._by_line) >= MAX_CACHED_TEXTS:
            self._by_line.pop(next(iter(self._by_line)))
        self._by_line[key] = (len(self.values), found)
        return found

    def _lines(self, text: str, lines: list[str], filename: str) -> dict[int, frozenset[str]]:
        """`redact_lines`' judgement without building the redacted text (no key block in `text`).

        A line holds a secret when the finder flags a value in it or it holds a value the run
        knows; the store asks after every edit, so this is the finder's cache per line plus one
        search of the whole text per known value, not a scrub of every line.
        """
        dotenv, file_type = dotenv_shaped(lines, filename), _file_type_key(filename)
        found: dict[int, set[str]] = {}
        for n, line in enumerate(lines):
            hits = _find(line[:_MAX_SCAN_LINE], file_type, dotenv)
            for value, kind in hits:
                self._remember(kind, value)  # as a read would: the value is known from now on
                found.setdefault(n, set()).add(value)
        for _marker, value in self._known():
            if value in text:
                for n, line in enumerate(lines):
                    if value in line:
                        found.setdefault(n, set()).add(value)
        return {n: frozenset(values) for n, values in found.items()}

    def _lines_by_redaction(self, lines: list[str], filename: str) -> dict[int, frozenset[str]]:
        """Which lines `redact_lines` changes, and the values behind their markers (key blocks span lines)."""
        found: dict[int, frozenset[str]] = {}
        for n, (line, shown) in enumerate(zip(lines, self.redact_lines(lines, filename), strict=True)):
            if line != shown:
                with self._lock:
                    found[n] = frozenset(self.values[m] for m in MARKER.findall(shown) if m in self.values)
        return found

    def redact_text(self, text: str, filename: str = "", *, dotenv: bool | None = False) -> str:
        """`redact_lines` over text (by default without the dotenv rule: text is not a file)."""
        if not text:
            return text
        return "\n".join(self.redact_lines(text.split("\n"), filename, dotenv=dotenv))

    def _mark(self, kind: str, value: str) -> str:
        return self._remember(kind, value)

    def redact_line(self, line: str, filename: str = "", *, dotenv: bool = False) -> str:
        found = self.find(line, filename, dotenv=dotenv)
        for value, kind in sorted(found.items(), key=lambda item: -len(item[0])):
            line = line.replace(value, self._remember(kind, value))
        return self.scrub_known(line)

    def find(self, line: str, filename: str = "", *, dotenv: bool = False) -> dict[str, str]:
        """Secret values in one line, value -> kind."""
        return dict(_find(line[:_MAX_SCAN_LINE], _file_type_key(filename), dotenv))

    # -- scrubbing what the model writes ------------------------------------------------

    def _known(self) -> list[tuple[str, str]]:
        """(marker, value) of every known value, longest value first; sorted again only when one was learnt."""
        with self._lock:
            if len(self._sorted) != len(self.values):
                self._sorted = sorted(self.values.items(), key=lambda item: -len(item[1]))
            return self._sorted

    def scrub_known(self, text: str) -> str:
        """Every value this run knows is secret, replaced by its marker."""
        for marker, value in self._known():
            if value in text:
                text = text.replace(value, marker)
        return text

    def scrub(self, text: str) -> str:
        """A string from the model, with known secret values and secret-shaped values replaced."""
        return self.redact_text(self.scrub_known(text))

    def scrub_tree(self, value: Any, redact: Callable[[str], str] | None = None) -> Any:
        """A copy of parsed JSON with every string (keys too) scrubbed."""
        fix = redact or self.scrub
        if isinstance(value, Redacted):
            return str(value)
        if isinstance(value, str):
            return fix(value)
        if isinstance(value, dict):
            return {fix(k) if isinstance(k, str) else k: self.scrub_tree(v, fix) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub_tree(v, fix) for v in value]
        return value

    def restore(self, text: str) -> str:
        """Put values back where `text` holds markers this run handed out; other markers stay as they are.

        For the edit tools: `old` must match the file as it is, secrets included. A value put back
        in `new` may stay only on a line the edit leaves unchanged, which the proposal store
        checks (`engine/proposals.py`); a value copied anywhere else is refused there.
        """
        with self._lock:
            values = dict(self.values)

        def put_back(match: re.Match[str]) -> str:
            marker = match.group()
            return values.get(marker, marker)

        return MARKER.sub(put_back, text)


def take_inventory(root: Path, vault: SecretVault, budget: WalkBudget) -> None:
    """Learn the values of the project's secret files up front, and load the scanner.

    Git-ignored files included (that is where `.env` files live): a model that learnt a value
    some other way still cannot write it into a label, a handoff or a file of the run.
    """
    warm_up()
    for rel in iter_files(root, budget=budget, honour_gitignore=False):
        name = PurePosixPath(rel).name
        kind = secret_kind(name)
        if kind is None:
            continue
        try:
            data = nofollow.read_regular(root / rel, max_bytes=MAX_INVENTORY_BYTES)
        except (OSError, ValueError):
            continue
        text = data.decode("utf-8", errors="replace")
        if kind == "env":
            vault.remember_values("env-value", env_key_names(text)[1])
        else:
            vault.remember_values("private-key", text.splitlines())
