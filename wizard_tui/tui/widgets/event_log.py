"""The event log: the run's facts as lines, buffered and written in batches.

Writing a log line per event costs a render per line; at a thousand events a second
that starves key handling. Lines are buffered and flushed ~15 times a second into a
`Log`, which renders only the lines on screen; a highlighter gives them their colours.
Internal lines (figures and bookkeeping) are kept, and shown only while `show_internals`.
"""

from __future__ import annotations

import re
from collections import deque

from rich.cells import cell_len
from rich.highlighter import Highlighter
from rich.segment import Segment
from rich.text import Text
from textual.reactive import var
from textual.strip import Strip
from textual.widgets import Log

from wizard_tui.domain.events import Event
from wizard_tui.tui.event_words import INTERNAL_MARK, PROBLEM, REFERENCE, WORD_STYLES, EventWords, LogEntry

FLUSH_INTERVAL_S = 1 / 15
MAX_LINES = 2_000

_STAMP = re.compile(r"^(\s*-?[\d.]+s) ")


class EventHighlighter(Highlighter):
    """Colours a plain log line the way `EventWords` laid it out, only when it is on screen."""

    def highlight(self, text: Text) -> None:
        plain = text.plain
        stamp = _STAMP.match(plain)
        if stamp is None:
            return
        text.stylize("dim", 0, stamp.end(1))
        rest = stamp.end()
        word = plain[rest:].split(" ", 1)[0]
        if word == INTERNAL_MARK:
            text.stylize("dim", rest, len(plain))
            return
        style = WORD_STYLES.get(word)
        if style is not None:
            text.stylize(style, rest, rest + len(word))
        reference = plain.rfind(REFERENCE)
        end = reference if reference > rest else len(plain)
        if reference > rest:
            text.stylize("dim", reference, len(plain))
        problem = plain.find(PROBLEM, rest, end)
        if problem >= 0:
            text.stylize("red", problem, end)


class EventLog(Log):
    """A capped log fed in batches; `show_internals` adds the figures and bookkeeping lines."""

    show_internals: var[bool] = var(False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, max_lines=MAX_LINES, highlight=True)
        self.highlighter = EventHighlighter()
        self.words = EventWords()
        self.entries: deque[LogEntry] = deque(maxlen=MAX_LINES)
        self.pending: list[str] = []
        self.lines_written = 0

    def on_mount(self) -> None:
        self.set_interval(FLUSH_INTERVAL_S, self.flush)

    def watch_show_internals(self, show: bool) -> None:
        self.border_subtitle = "i: hide internals" if show else "i: show internals"
        if not self.is_mounted:
            return
        # Rewritten from the entries kept: the few thousand lines at most cost one write.
        self.clear()
        self.pending = [e.text for e in self.entries if show or not e.internal]
        self.flush()
        self.call_after_refresh(self.scroll_end, animate=False, x_axis=False)

    def add(self, events: list[Event]) -> None:
        for event in events:
            entry = self.words.entry(event)
            if entry is None:
                continue
            self.entries.append(entry)
            if self.show_internals or not entry.internal:
                self.pending.append(entry.text)
        if len(self.pending) > MAX_LINES:
            del self.pending[:-MAX_LINES]

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        # Follow the newest line unless the reader scrolled up. Log decides that from the
        # scroll position before the write, which is stale until the first layout, so the
        # end is asked for again once the new lines are laid out.
        following = self.is_vertical_scroll_end
        self.write_lines(batch, scroll_end=following)
        if following:
            self.call_after_refresh(self.scroll_end, animate=False, x_axis=False)
        self.lines_written += len(batch)

    def render_line(self, y: int) -> Strip:
        """A line too long for the pane ends in an ellipsis (the pane never scrolls sideways)."""
        strip = super().render_line(y)
        width = self.scrollable_content_region.width  # without the scrollbar, which covers the rest
        index = self.scroll_offset.y + y
        if width > 0 and index < self.line_count and cell_len(self.lines[index]) > width:
            strip = Strip.join([strip.crop(0, width - 1), Strip([Segment("…", self.rich_style)], 1)])
        return strip
