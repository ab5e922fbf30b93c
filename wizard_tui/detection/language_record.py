"""The shape of one source language as the LLM-call scanner sees it (`Language`) and its parts.

`languages.py` holds the records themselves, one per language; this module holds what a
record is and what is derived from it (its file extensions, every call pattern in one),
so the table stays data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from wizard_tui.detection.catalog import Family
from wizard_tui.detection.imports import ImportRule
from wizard_tui.domain.walk import SOURCE_EXTENSIONS


@dataclass(frozen=True)
class Named:
    """A pattern whose match names an SDK: a fixed name, or group 1 looked up in a table."""

    pattern: re.Pattern[str]
    sdk: str | Mapping[str, str]

    def find(self, line: str) -> str | None:
        m = self.pattern.search(line)
        if m is None:
            return None
        return self.sdk if isinstance(self.sdk, str) else self.sdk[m.group(1)]


@dataclass(frozen=True)
class FileCall:
    """A client call matched over the whole file (with comments blanked), when `keyword` is present."""

    keyword: str
    pattern: re.Pattern[str]
    sdk: Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class Language:
    """One source language as the LLM-call scanner sees it."""

    id: str  # a language family of the domain's SOURCE_EXTENSIONS, which says its files
    comments: re.Pattern[str]  # comments and string literals, in the order they must be tried
    imports: ImportRule  # one line -> the LLM SDKs it imports
    keywords: tuple[str, ...]  # lower-case literals, one on every import, endpoint or autoload line
    call_hints: tuple[str, ...] = ()  # cheap substrings, one of which every call pattern needs
    calls: tuple[tuple[re.Pattern[str], Family], ...] = ()  # constructors and calls of one family
    generic_call: str | None = None  # methods any LLM client has: reported under the likeliest import
    autoload: tuple[Named, ...] = ()  # clients used with no import statement (Ruby, PHP, Elixir)
    directive: re.Pattern[str] | None = None  # import lines, on which an autoload pattern is no call
    orphan: re.Pattern[str] | None = None  # unmistakable calls on a client made in another module
    file_calls: tuple[FileCall, ...] = ()
    doc_strings: bool = False  # triple-quoted strings are docs, blanked like comments
    multiline_imports: bool = False  # an import statement spans lines; report where it starts
    browser: bool = False  # runs in web pages, where the PostHog web snippet may be pasted
    extensions: tuple[str, ...] = field(init=False, default=())
    any_call: re.Pattern[str] | None = field(init=False, default=None)  # every call pattern in one

    def __post_init__(self) -> None:
        object.__setattr__(self, "extensions", SOURCE_EXTENSIONS[self.id])
        calls = self.calls
        if self.generic_call is not None:
            calls = (*calls, (re.compile(self.generic_call), None))
            object.__setattr__(self, "calls", calls)
        if calls:
            joined = "|".join(f"(?:{p.pattern})" for p, _ in calls)
            object.__setattr__(self, "any_call", re.compile(joined))


def call_rules(*rules: tuple[str, tuple[str, ...]]) -> tuple[tuple[re.Pattern[str], Family], ...]:
    """A language's `calls`, compiled: (pattern, the family of SDKs whose client it calls)."""
    return tuple((re.compile(pattern), family) for pattern, family in rules)


def autoload_rules(*rules: tuple[str, str]) -> tuple[Named, ...]:
    """A language's `autoload`, compiled: (pattern, the SDK a match names)."""
    return tuple(Named(re.compile(pattern), sdk) for pattern, sdk in rules)
