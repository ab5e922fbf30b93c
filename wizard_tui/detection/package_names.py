"""How a package name is matched against the catalog's lists: exact names, prefixes, suffixes.

`catalog.py` holds the names themselves (which packages are LLM SDKs and PostHog SDKs, per
ecosystem, and the client families); this module holds what a list of names is and how a
name is looked up in one, so the catalog stays data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Names:
    """Package names: exact ones, and those with a prefix (a scope, a module path) or a suffix."""

    exact: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    excluded: frozenset[str] = frozenset()

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or name in self.excluded:
            return False
        return name in self.exact or name.startswith(self.prefixes) or name.endswith(self.suffixes)


@dataclass(frozen=True)
class EcosystemNames:
    """One package ecosystem: its names' normal form, its LLM SDKs and its PostHog SDKs."""

    llm: Names
    posthog: Names
    normal: Callable[[str], str] = field(default=str.lower)


def in_family(sdk: str, family: Iterable[str]) -> bool:
    """True when `sdk` is one of the family's names or starts with one of its prefixes (`x*`)."""
    for member in family:
        if member.endswith("*"):
            if sdk.startswith(member[:-1]):
                return True
        elif sdk == member:
            return True
    return False
