"""The event log: the run's facts as lines, buffered and written in batches.

Writing a log line per event costs a render per line; at a thousand events a second
that starves key handling. Lines are buffered and flushed ~15 times a second into a
`Log`, which renders only the lines on screen; a highlighter gives them their colours.
A line wider than the pane is wrapped under its message column (`log_wrap`), and the
whole log is wrapped again when the pane's width changes.
Internal lines (figures and bookkeeping) are kept, and shown only while `show_internals`.
"""

from __future__ import annotations

from collections import deque

from rich.cells import cell_len
from rich.highlighter import Highlighter
from rich.segment import Segment
from rich.text import Text
from textual.events import Resize
from textual.reactive import var
from textual.strip import Strip
from textual.widgets import Log

from wizard_tui.domain.events import Event
from wizard_tui.tui.event_words import INTERNAL_MARK, PROBLEM, REFERENCE, WORD_STYLES, EventWords, LogEntry
from wizard_tui.tui.log_wrap import STAMP, before, wrap

FLUSH_INTERVAL_S = 1 / 15
MAX_LINES = 2_000


class EventHighlighter(Highlighter):
    """Colours a plain log line the way `EventWords` laid it out, only when it is on screen.

    A later line of a wrapped entry takes its colours from the whole entry (a problem that
    goes on to the next line stays red): `before` holds the entry up to that line while the
    log renders it.
    """

    def __init__(self) -> None:
        self.before = ""

    def highlight(self, text: Text) -> None:
        if not self.before:
            self._colour(text)
            return
        piece = text.plain.lstrip(" ")
        indent = len(text.plain) - len(piece)
        whole = Text(f"{self.before} {piece}")
        self._colour(whole)
        start = len(self.before) + 1
        for span in whole.spans:
            if span.end > start:
                text.stylize(span.style, indent + max(span.start - start, 0), indent + span.end - start)

    @staticmethod
    def _colour(text: Text) -> None:
        plain = text.plain
        stamp = STAMP.match(plain)
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
        self.colours = EventHighlighter()
        self.highlighter = self.colours
        self.words = EventWords()
        self.entries: deque[LogEntry] = deque(maxlen=MAX_LINES)
        self.pending: list[str] = []
        self.lines_written = 0
        self.wrapped_at = 0  # the width the lines on screen were wrapped to; 0 until laid out

    def on_mount(self) -> None:
        self.set_interval(FLUSH_INTERVAL_S, self.flush)

    def watch_show_internals(self, show: bool) -> None:
        self.border_subtitle = "i: hide internals" if show else "i: show internals"
        if self.is_mounted:
            self.rewrite()

    def on_resize(self, event: Resize) -> None:
        if self.scrollable_content_region.width != self.wrapped_at:
            self.rewrite()

    def rewrite(self) -> None:
        """Every line again, from the entries kept: the few thousand lines at most cost one write."""
        self.clear()
        self.pending = [e.text for e in self.entries if self.show_internals or not e.internal]
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
        # Without the scrollbar, which covers the last column.
        width = self.scrollable_content_region.width
        if not self.pending or width <= 0:
            return  # nothing new, or not laid out yet: the first layout writes every line
        batch, self.pending = self.pending, []
        self.wrapped_at = width
        # Follow the newest line unless the reader scrolled up. Log decides that from the
        # scroll position before the write, which is stale until the first layout, so the
        # end is asked for again once the new lines are laid out.
        following = self.is_vertical_scroll_end
        self.write_lines([piece for text in batch for piece in wrap(text, width)], scroll_end=following)
        if following:
            self.call_after_refresh(self.scroll_end, animate=False, x_axis=False)
        self.lines_written += len(batch)

    def render_line(self, y: int) -> Strip:
        """A line, coloured as part of its entry; one still too long (a pane too narrow to wrap
        in) ends in an ellipsis, since the pane never scrolls sideways."""
        index = self.scroll_offset.y + y
        self.colours.before = before(self.lines, index)
        try:
            strip = super().render_line(y)
        finally:
            self.colours.before = ""
        width = self.scrollable_content_region.width
        if width > 0 and index < self.line_count and cell_len(self.lines[index]) > width:
            strip = Strip.join([strip.crop(0, width - 1), Strip([Segment("…", self.rich_style)], 1)])
        return strip
