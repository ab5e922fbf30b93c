"""Event names in the product's own style, from the words of the code where the event happens.

A name is read off whole words (identifiers split at case changes, underscores, dashes and
path separators), never off pieces of words: `question` holds `on`, and `blog index` holds
`log in`, and neither may change the name. A known intent (a sign-up, a log-in, a checkout)
gives its usual name; a handler named verb-first (`create_todo`) gives "todo created";
anything else is "<what> submitted".
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from wizard_tui.agents.offline.project import ProjectReader

# Intents, matched on the whole words of the hints joined by spaces.
_INTENTS = (
    (r"\b(sign ?up|register|registration|create account|join)\b", "user signed up"),
    (r"\b(log ?in|sign ?in|signin|login)\b", "user logged in"),
    (r"\b(checkout|purchase|payment|order)\b", "checkout completed"),
    (r"\b(contact|support|feedback)\b", "contact form submitted"),
    (r"\b(subscribe|newsletter)\b", "newsletter subscribed"),
)
# Verbs a handler's name starts with, and how the event says it happened.
_PAST = {
    "add": "added",
    "ask": "asked",
    "comment": "commented",
    "create": "created",
    "delete": "deleted",
    "edit": "edited",
    "invite": "invited",
    "post": "posted",
    "publish": "published",
    "remove": "removed",
    "renew": "renewed",
    "reply": "replied",
    "save": "saved",
    "send": "sent",
    "share": "shared",
    "update": "updated",
    "upload": "uploaded",
    "vote": "voted",
}
# Words that say where code sits, not what the user did.
_NOISE = {
    "handle",
    "handler",
    "on",
    "submit",
    "form",
    "page",
    "index",
    "route",
    "routes",
    "view",
    "views",
    "api",
    "app",
    "src",
    "main",
    "handlers",
    "controller",
    "controllers",
    "py",
    "ts",
    "tsx",
    "js",
    "jsx",
}


def words_of(*hints: str) -> list[str]:
    """The lower-case words of identifiers and paths: `handleSignUp` -> handle, sign, up."""
    out: list[str] = []
    for hint in hints:
        spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", hint)
        out += [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]
    return out


def _name_words(hint: str) -> list[str]:
    """The telling words of one hint; a path's file name first, then its folders from the nearest."""
    path = PurePosixPath(hint)
    if "/" not in hint and not path.suffix:
        return [w for w in words_of(hint) if w not in _NOISE]
    for part in [path.stem, *reversed(path.parts[:-1])]:
        words = [w for w in words_of(part) if w not in _NOISE]
        if words:
            return words
    return []


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def event_words(*hints: str) -> str:
    """What happened, in words, from the area's function, file and names (most telling first)."""
    for pattern, words in _INTENTS:
        if re.search(pattern, " ".join(words_of(*hints))):
            return words
    at, name = next(((i, found) for i, h in enumerate(hints) if (found := _name_words(h))), (len(hints), []))
    if name and name[0] in _PAST:
        thing = name[1:4]
        if not thing:  # `vote` in polls/views.py: the thing comes from the file or area
            later = (w for h in hints[at + 1 :] for w in _name_words(h) if w not in _PAST)
            thing = [_singular(w) for w in list(later)[:1]]
        return " ".join([*thing, _PAST[name[0]]])
    return f"{' '.join(name[:4]) or 'form'} submitted"


def event_style(names: list[str]) -> str:
    """`snake` (PostHog's own suggestion), `title`, `camel`, `kebab` or `spaces`, as the project writes."""
    for name in names:
        if " " in name:
            return "title" if name[:1].isupper() else "spaces"
        if "_" in name:
            return "snake"
        if "-" in name:
            return "kebab"
        if re.search(r"[a-z][A-Z]", name):
            return "camel"
    return "snake"


def styled(words: str, style: str) -> str:
    parts = [w for w in re.split(r"[\s_\-]+", words.strip().lower()) if w]
    if style == "title":
        return " ".join(p.capitalize() for p in parts)
    if style == "spaces":
        return " ".join(parts)
    if style == "kebab":
        return "-".join(parts)
    if style == "camel":
        return parts[0] + "".join(p.capitalize() for p in parts[1:])
    return "_".join(parts)


async def existing_event_names(project: ProjectReader) -> list[str]:
    names: list[str] = []
    for match in await project.search(r"""(capture\(\s*["'][^"']+["']|event:\s*["'][^"']+["'])"""):
        found = re.search(r"""(?:capture\(\s*|event:\s*)["']([^"']+)["']""", match["text"])
        if found and not found.group(1).startswith("$"):
            names.append(found.group(1))
    return names
