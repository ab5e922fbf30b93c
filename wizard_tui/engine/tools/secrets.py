"""The model never sees a secret value: the run's `SecretVault`, which redacts every tool result.

Two layers, so every tool uses the same rules:

- **Files that are secrets by name** (`.env*`, keys, credential files; `secret_files.py`):
  their values are never read out; what an agent may know of an env file is which keys it
  sets. `take_inventory` learns their values up front.
- **Secret values anywhere else**, found line by line by the scanner (`secret_scan.py`).
  Each value becomes a marker naming its kind, `[secret:aws-access-key:3f9a1c02]`; a line
  stays a line, so line numbers do not move.

`SecretVault` remembers marker -> value for the run, in memory only: the edit tools use it
to put a value back where the model kept a marker of it (see `SecretVault.restore`), and
every string a model sends is scrubbed of the values seen so far.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from wizard_tui.domain import nofollow
from wizard_tui.domain.walk import WalkBudget, iter_files
from wizard_tui.engine.tools.secret_files import env_key_names, secret_kind
from wizard_tui.engine.tools.secret_scan import (
    MARKER,
    MAX_SCAN_LINE,
    PEM_BEGIN,
    PEM_END,
    dotenv_opens_quote,
    dotenv_shaped,
    file_type_key,
    find_in_line,
    is_value,
    marker_for,
    warm_up,
)

MAX_INVENTORY_BYTES = 512 * 1024
# secrets_by_line answers kept (each a digest and the numbers of the secret lines: small).
MAX_CACHED_TEXTS = 1_024
# redact_text answers kept for short strings (a tool input's keys and words, ids, paths): every
# tool call sends and gets back the same few, and each was a scan of its own (bench machinery).
MAX_MEMO_CHARS = 256
MAX_MEMO_TEXTS = 4_096
# A value an env file sets that is a word, a number, a path or a URL without credentials.
_PLAIN_VALUE = re.compile(r"^(?:[a-z]+|[A-Z]+|[a-z_\-]+|\d+|https?://[^@\s]*|[a-z]+(?:\.[a-z]+)+|/[\w/.\-]*)$")


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
    # redact_text's answers for short texts, valid while no value is learnt (`_memo_known` values known).
    _memo: dict[str, str] = field(default_factory=dict, repr=False)
    _memo_known: int = field(default=0, repr=False)

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
            if len(value) >= 8 and is_value(value) and not _PLAIN_VALUE.match(value):
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
        open_quote: str | None = None  # a dotenv value that goes on to the next line, and its quote
        for line in lines:
            if open_quote is not None:
                # Inside a multi-line dotenv value: the line is value up to the closing quote.
                close = line.find(open_quote)
                body = line if close < 0 else line[:close]
                out.append((self._mark("env-value", body) if body.strip() else body) + line[len(body) :])
                open_quote = None if close >= 0 else open_quote
                continue
            if in_pem or PEM_BEGIN.search(line):
                begin = PEM_BEGIN.search(line)
                end = PEM_END.search(line)
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
            if dotenv:
                open_quote = dotenv_opens_quote(line)
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
        # A key block or a multi-line dotenv value spans lines: only the full redaction follows it.
        spans = PEM_BEGIN.search(text) is not None or (
            dotenv_shaped(lines, filename) and any(map(dotenv_opens_quote, lines))
        )
        found = self._lines_by_redaction(lines, filename) if spans else self._lines(text, lines, filename)
        if len(self._by_line) >= MAX_CACHED_TEXTS:
            self._by_line.pop(next(iter(self._by_line)))
        self._by_line[key] = (len(self.values), found)
        return found

    def _lines(self, text: str, lines: list[str], filename: str) -> dict[int, frozenset[str]]:
        """`redact_lines`' judgement without building the redacted text (no key block or multi-line value in `text`).

        A line holds a secret when the finder flags a value in it or it holds a value the run
        knows; the store asks after every edit, so this is the finder's cache per line plus one
        search of the whole text per known value, not a scrub of every line.
        """
        dotenv, file_type = dotenv_shaped(lines, filename), file_type_key(filename)
        found: dict[int, set[str]] = {}
        for n, line in enumerate(lines):
            hits = find_in_line(line[:MAX_SCAN_LINE], file_type, dotenv)
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
        """`redact_lines` over text (by default without the dotenv rule: text is not a file).

        A short text with no file name is answered from a memo while the run learns no new value:
        the answer depends only on the text and the values known, and a value learnt empties it.
        """
        if not text:
            return text
        if filename or dotenv is not False or len(text) > MAX_MEMO_CHARS:
            return "\n".join(self.redact_lines(text.split("\n"), filename, dotenv=dotenv))
        known = len(self.values)
        if self._memo_known == known:
            hit = self._memo.get(text)
            if hit is not None:
                return hit
        shown = "\n".join(self.redact_lines(text.split("\n"), filename, dotenv=False))
        with self._lock:
            if len(self.values) == known:  # nothing learnt meanwhile (here or in another thread)
                if self._memo_known != known or len(self._memo) >= MAX_MEMO_TEXTS:
                    self._memo.clear()
                    self._memo_known = known
                self._memo[text] = shown
        return shown

    def _mark(self, kind: str, value: str) -> str:
        return self._remember(kind, value)

    def redact_line(self, line: str, filename: str = "", *, dotenv: bool = False) -> str:
        found = self.find(line, filename, dotenv=dotenv)
        for value, kind in sorted(found.items(), key=lambda item: -len(item[0])):
            line = line.replace(value, self._remember(kind, value))
        return self.scrub_known(line)

    def find(self, line: str, filename: str = "", *, dotenv: bool = False) -> dict[str, str]:
        """Secret values in one line, value -> kind."""
        return dict(find_in_line(line[:MAX_SCAN_LINE], file_type_key(filename), dotenv))

    # -- scrubbing what the model writes ------------------------------------------------

    def _known(self) -> list[tuple[str, str]]:
        """(marker, value) of every known value, longest value first; sorted again only when one was learnt."""
        known = self._sorted
        if len(known) == len(self.values):  # nothing learnt since the last sort: no lock to take
            return known
        with self._lock:
            if len(self._sorted) != len(self.values):
                self._sorted = sorted(self.values.items(), key=lambda item: -len(item[1]))
            return self._sorted

    def scrub_known(self, text: str) -> str:
        """Every value this run knows is secret, replaced by its marker."""
        if not self.values:
            return text
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
