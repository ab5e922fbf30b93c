"""Event-log lines too long for the pane, wrapped with a hanging indent under the message column.

A log line is `stamp word message`; its later lines start under the message, so the stamps
and words stay a clean column. Written here rather than with `textwrap` or Rich's wrapping
because both break at any space (`textwrap` also counts characters, not terminal cells),
and a number must stay with the word after it: `retry 2 of 6 in 4.0s` never ends a line
on `2`, `1,204 tokens` never becomes `1,204` / `tokens`. Pure (no Textual).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence

from rich.cells import cell_len, chop_cells

from wizard_tui.tui.event_words import INTERNAL_MARK, WORD_WIDTH

# A line's offset from the run's start, as `EventWords` writes it (`   4.93s `).
STAMP = re.compile(r"^(\s*-?[\d.]+s) ")
# A later line of a wrapped entry starts with at least this many spaces. A stamp never does:
# it is at least four digits in a field of seven (`   0.00s`).
CONTINUATION = " " * 8
# Below this many cells for the message, a hanging indent helps no one: later lines start
# at the continuation mark instead (and below that, lines are not wrapped at all).
MIN_MESSAGE = 16
_NUMBER = re.compile(r"\(?[-+]?\d[\d,.:/]*")
_MARKS = frozenset({"—", "·"})  # the problem and reference marks of `event_words`


def message_column(line: str) -> int:
    """Where a log line's message starts: after its stamp and word (or internal mark); 0 if it has none."""
    stamp = STAMP.match(line)
    if stamp is None:
        return 0
    rest = stamp.end()
    word = line[rest:].split(" ", 1)[0]
    if word == INTERNAL_MARK:
        return rest + len(word) + 1
    return min(len(line), rest + max(WORD_WIDTH, len(word)) + 1)


def wrap(line: str, width: int) -> list[str]:
    """`line` in lines of at most `width` cells; later lines start under the message column."""
    if width < len(CONTINUATION) + MIN_MESSAGE or cell_len(line) <= width:
        return [line]  # fits, or the pane is too narrow for wrapping to help: it cuts the line
    column = message_column(line)
    hang = column if width - column >= MIN_MESSAGE else len(CONTINUATION)
    hang = max(hang, len(CONTINUATION))
    current, room, empty = line[:column], width - cell_len(line[:column]), True
    lines: list[str] = []
    queue = deque(words(line[column:]))
    while queue:
        word = queue.popleft()
        if " " in word and cell_len(word) > width - hang:
            # Words kept together that no line can hold: on a line of their own, one by one.
            if not empty:
                lines.append(current.rstrip())
                current, room, empty = " " * hang, width - hang, True
            parts = words(word, marks=False)  # a mark lets go of its word first, then a number of its unit
            queue.extendleft(reversed(parts if len(parts) > 1 else word.split(" ")))
            continue
        size = cell_len(word) + (0 if empty else 1)
        if size > room and cell_len(word) <= width - hang:
            lines.append(current.rstrip())  # the word fits whole on a line of its own
            current, room, empty, size = " " * hang, width - hang, True, cell_len(word)
        if size <= room:
            current += word if empty else " " + word
            room, empty = room - size, False
            continue
        # Longer than any line (a path, a long id): folded, starting where the current line ends.
        if not empty and room > 1:
            current, room = current + " ", room - 1
        elif not empty or room <= 0:
            lines.append(current.rstrip())
            current, room = " " * hang, width - hang
        head, *rest = chop_cells(word, room)
        current += head
        for piece in chop_cells("".join(rest), width - hang) if rest else []:
            lines.append(current)
            current = " " * hang + piece
        room, empty = width - cell_len(current), False
    lines.append(current)
    return lines


def words(message: str, *, marks: bool = True) -> list[str]:
    """The message's words, where some pairs count as one: a number and the word after it
    (its unit: `4 turns`), `2 of 6`, a mark that starts a part with its first word (`— timeout:`),
    and a last word of one or two cells with the word before it."""
    found: list[str] = []
    previous = ""
    for token in message.split():
        number = _NUMBER.fullmatch(token) is not None
        if found and (
            (_NUMBER.fullmatch(previous) and token[0].isalpha())
            or (previous == "of" and number)
            or (marks and previous in _MARKS)
        ):
            found[-1] += " " + token
        else:
            found.append(token)
        previous = token
    if len(found) > 1 and " " not in found[-1] and cell_len(found[-1]) <= 2:
        found[-2:] = [f"{found[-2]} {found[-1]}"]  # no `6)` alone on the entry's last row
    return found


def is_continuation(line: str) -> bool:
    """Whether `line` is a later line of a wrapped entry."""
    return line.startswith(CONTINUATION)


def before(lines: Sequence[str], index: int) -> str:
    """The text of the entry that `lines[index]` continues, up to that line ("" if it starts one).

    Lines are joined with one space, as they were split, so the entry's marks (` — `, ` · `)
    are whole again. "" too when the entry's first line is gone (dropped from the top)."""
    if index >= len(lines) or not is_continuation(lines[index]):
        return ""
    start = index
    while start > 0 and is_continuation(lines[start]):
        start -= 1
    if is_continuation(lines[start]):
        return ""
    return " ".join([lines[start], *(line.strip() for line in lines[start + 1 : index])])
