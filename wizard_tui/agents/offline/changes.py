"""What an integrator proposes: edits and new files, and the plan that carries them.

Integrators compute a file's whole new text; `text_edits` turns the before and after into
the small `{old, new}` edits that `propose_edit` takes, each `old` unique in the text it
applies to, so a reviewer sees hunks the size of the change and not a rewritten file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from wizard_tui.domain.secret_marker import holds_secret


@dataclass(frozen=True)
class Edit:
    """Replace the one occurrence of `old` in `path` by `new` (the `propose_edit` tool)."""

    path: str
    old: str
    new: str


@dataclass(frozen=True)
class NewFile:
    """Create `path` with `content` (the `propose_file` tool)."""

    path: str
    content: str


Change = Edit | NewFile


@dataclass
class Plan:
    """An integrator's answer: the changes, what they do and why, or why nothing is proposed."""

    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one sentence per change: what and why
    skipped: str | None = None  # the reason nothing was proposed, when nothing was
    manual: list[str] = field(default_factory=list)  # steps left to the user, for the report
    events: list[str] = field(default_factory=list)  # the events a capture plan sends, by name
    already: bool = False  # skipped because what the plan would add is there already (a second run)

    @staticmethod
    def skip(reason: str, *manual: str) -> Plan:
        return Plan(skipped=reason, manual=list(manual))

    @staticmethod
    def there_already(reason: str) -> Plan:
        """Nothing to propose because the change is in the project already (a run before did it)."""
        return Plan(skipped=reason, already=True)

    def edit(self, path: str, before: str, after: str, note: str) -> None:
        """Record the edits that turn `before` into `after`, with a note saying why.

        An integrator keeps its changes off the lines that hold a secret; one that could not
        (a shape it does not know) makes the plan a skip that says where, instead of a
        proposal the tools would refuse.
        """
        line = secret_border(before, after)
        if line is not None:
            self.changes.clear()
            self.skipped = self.skipped or (
                f"The change to {path} would rewrite or border line {line}, which holds a secret value, and a "
                "patch cannot show it; move that secret to an environment variable, then run the wizard again."
            )
            return
        edits = text_edits(path, before, after)
        if edits:
            self.changes.extend(edits)
            self.notes.append(note)

    def add_file(self, path: str, content: str, note: str) -> None:
        self.changes.append(NewFile(path, content))
        self.notes.append(note)

    def extend(self, other: Plan) -> None:
        self.changes.extend(other.changes)
        self.notes.extend(other.notes)
        self.manual.extend(other.manual)

    @property
    def files(self) -> list[str]:
        return list(dict.fromkeys(c.path for c in self.changes))


CONTEXT_GAP = 3  # hunks closer than this many lines become one edit


def text_edits(path: str, before: str, after: str) -> list[Edit]:
    """Edits that turn `before` into `after`, applied in order, each `old` unique when applied.

    An insertion has no old text of its own, so it takes the line above (or below) as its
    anchor; any `old` that occurs more than once grows by a line of context on each side
    until it is unique.
    """
    if before == after:
        return []
    a = before.splitlines(keepends=True)
    b = after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    hunks: list[list[int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if hunks and i1 - hunks[-1][1] <= CONTEXT_GAP:
            hunks[-1][1], hunks[-1][3] = i2, j2
        else:
            hunks.append([i1, i2, j1, j2])
    edits: list[Edit] = []
    current = a[:]
    shift = 0  # how many lines earlier edits added to `current` before this hunk
    for i1, i2, j1, j2 in hunks:
        lo, hi = i1 + shift, i2 + shift
        new_lines = b[j1:j2]
        top, bottom = lo, hi
        while True:
            if top == bottom:  # a pure insertion: anchor on a neighbouring line
                if top > 0:
                    top -= 1
                else:
                    bottom += 1
            old = "".join(current[top:bottom])
            if old and occurs_once("".join(current), old):
                break
            if top == 0 and bottom >= len(current):
                break
            top = max(0, top - 1)
            bottom = min(len(current), bottom + 1)
        replacement = current[top:lo] + new_lines + current[hi:bottom]
        edits.append(Edit(path, "".join(current[top:bottom]), "".join(replacement)))
        current[top:bottom] = replacement
        shift += len(new_lines) - (i2 - i1)
    return edits


def occurs_once(text: str, part: str) -> bool:
    """`part` occurs exactly once in `text`, overlapping occurrences counted (`aa` is twice in `aaa`)."""
    first = text.find(part)
    return first >= 0 and text.find(part, first + 1) < 0


def apply_edits(text: str, edits: list[Edit]) -> str:
    """`text` with `edits` applied in order, each to its one occurrence (the tools' rule)."""
    for edit in edits:
        if not occurs_once(text, edit.old):
            raise ValueError(f"{edit.path}: the old text of an edit does not occur exactly once")
        text = text.replace(edit.old, edit.new, 1)
    return text


def above_secret(lines: list[str], at: int) -> bool:
    """Whether lines inserted before 0-based row `at` would sit right above a line holding a secret.

    A patch needs an unchanged line after each change and may never show a secret, so the
    propose tools refuse such an insertion. Blank lines in between count for nothing (a diff
    may slide an insertion over them); at the end of the file, the last line counts, since it
    may lack the newline that an insertion after it would add.
    """
    for line in lines[at:]:
        if line.strip():
            return holds_secret(line)
    return next((holds_secret(line) for line in reversed(lines[:at]) if line.strip()), False)


def clear_row(lines: list[str], rows: Iterable[int]) -> int | None:
    """The first of `rows` (in the caller's order of preference) where an insertion is not above a secret."""
    return next((row for row in rows if not above_secret(lines, row)), None)


def secret_border(before: str, after: str) -> int | None:
    """The 1-based line of `before` holding a secret that the change from `before` to `after`
    would rewrite or sit right above, which the propose tools refuse; None when there is none."""
    a, b = before.split("\n"), after.split("\n")
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        touched = next((i for i in range(i1, i2) if holds_secret(a[i])), None)
        if touched is not None:
            return touched + 1
        if above_secret(a, i2):
            return next((i + 1 for i in range(i2, len(a)) if a[i].strip()), len(a))
    return None
