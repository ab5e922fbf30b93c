"""The event log: audit and telemetry records as lines, buffered and written in batches.

Writing a log line per event costs a render per line; at a thousand events a second
that starves key handling. Lines are buffered and flushed ~15 times a second into a
`Log`, which renders only the lines on screen; a highlighter gives them their colours.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual.widgets import Log

from wizard_tui.domain.events import Event
from wizard_tui.domain.models import AuditRecord

FLUSH_INTERVAL_S = 1 / 15
MAX_LINES = 2_000

_WORDS = {
    "enqueue": ("queued", "pending"),
    "start": ("started", "running"),
    "complete": ("done", "done"),
    "skip": ("skipped", "skipped"),
    "fail": ("FAILED", "failed"),
    "block": ("BLOCKED", "blocked"),
    "requeue": ("retry", "retry"),
    "interrupt": ("interrupted", "interrupted"),
    "reset": ("reset", "retry"),
}
_STYLES = {
    "pending": "grey62",
    "running": "yellow",
    "done": "green",
    "failed": "bold red",
    "skipped": "cyan",
    "blocked": "bold magenta",
    "retry": "yellow",
    "interrupted": "dark_orange",
}
# These repeat an audit line of the same transition; showing both doubles the log for nothing.
_DUPLICATE_TELEMETRY = frozenset(
    {
        "orchestrator task enqueued",
        "orchestrator task started",
        "orchestrator task completed",
        "orchestrator task failed",
        "orchestrator task skipped",
        "orchestrator task blocked",
    }
)


def _props(props: dict[str, Any], keys: tuple[str, ...]) -> str:
    return " ".join(f"{k}={props[k]}" for k in keys if props.get(k) not in (None, "", [], {}))


class EventFormatter:
    """Turns records into one line each; remembers labels from enqueue lines."""

    def __init__(self) -> None:
        self.start: datetime | None = None
        self.labels: dict[str, str] = {}

    def line(self, event: Event) -> Text | None:
        if self.start is None:
            self.start = event.ts
        stamp = Text(f"{(event.ts - self.start).total_seconds():7.2f}s ", style="dim")
        if isinstance(event, AuditRecord):
            return self._audit(event, stamp)
        if event.event in _DUPLICATE_TELEMETRY:
            return None
        p = event.properties
        if event.event == "agent completed":
            body = (
                f"agent {p.get('task_type')} finished: {p.get('turns')} turns, "
                f"{p.get('input_tokens', 0)}/{p.get('output_tokens', 0)} tokens in/out, {p.get('duration_ms')} ms"
            )
        elif event.event == "orchestrator run finished":
            body = (
                f"run finished: {p.get('tasks_done')}/{p.get('tasks_total')} done, {p.get('tasks_failed')} failed, "
                f"{p.get('tasks_blocked')} blocked, {p.get('total_duration_ms')} ms"
            )
        elif event.event == "orchestrator seeded":
            body = f"seeded {p.get('task_count')} tasks in {p.get('duration_ms')} ms"
        elif event.event == "orchestrator guard tripped":
            body = f"guard {p.get('guard')} refused a {p.get('type')} task"
        else:
            body = f"{event.event} {_props(p, ('backend', 'model', 'type', 'guard'))}".rstrip()
        return stamp + Text("telemetry ", style="blue") + Text(body, style="dim")

    def _audit(self, event: AuditRecord, stamp: Text) -> Text | None:
        extra: dict[str, Any] = event.model_extra or {}
        if event.event == "orchestrator":
            status = str(extra.get("status", event.status))
            text = stamp + Text("orchestrator ", style="bold") + Text(status)
            error = extra.get("error")
            if isinstance(error, dict):
                text.append(f": {error.get('message')}", style="red")
            return text
        if event.event == "guard":
            return stamp + Text(f"guard {extra.get('guard')} refused a {event.type} task", style="magenta")
        if event.event == "install-intent":
            sdks = ", ".join(str(s) for s in extra.get("sdks", []))
            return stamp + Text(f"install intent: {sdks} with {extra.get('package_manager')}")
        known = _WORDS.get(event.event)
        if known is None or event.task_id is None:
            return stamp + Text(event.event, style="dim")
        word, status = known
        if event.event == "enqueue":
            self.labels[event.task_id] = str(extra.get("label", ""))
        text = stamp + Text(f"{word:<11} ", style=_STYLES[status])
        text.append(f"{event.task_id}  ", style="dim")
        text.append(f"{event.type or '':<13} ")
        text.append(self.labels.get(event.task_id, ""))
        error = extra.get("error")
        if event.event in ("fail", "requeue") and isinstance(error, dict):
            text.append(f"  {error.get('kind')}: {error.get('message')}", style="red")
        elif event.event == "block":
            text.append(f"  (after {extra.get('blocked_by')})", style="dim")
        elif event.event == "start" and (event.attempts or 0) > 1:
            text.append(f"  attempt {event.attempts}", style="yellow")
        return text


class EventHighlighter(Highlighter):
    """Colours a plain log line the way `EventFormatter` styled it, only when it is on screen."""

    def highlight(self, text: Text) -> None:
        plain = text.plain
        stamp = _STAMP.match(plain)
        if stamp is None:
            return
        text.stylize("dim", 0, stamp.end(1))
        word = plain[stamp.end() :].split(" ", 1)[0]
        style = _WORD_STYLES.get(word)
        if style is not None:
            text.stylize(style, stamp.end(), stamp.end() + len(word))
        error = _ERROR.search(plain)
        if error is not None:
            text.stylize("red", error.start(), len(plain))


_STAMP = re.compile(r"^(\s*-?[\d.]+s) ")
_ERROR = re.compile(r"  (?:reported-failed|no-report|timeout|agent-error|internal|backstop|max_turns|[a-z_-]+-error): ")
_WORD_STYLES = {word: _STYLES[status] for word, status in _WORDS.values()} | {"telemetry": "blue"}


class EventLog(Log):
    """A capped log fed in batches."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, max_lines=MAX_LINES, highlight=True)
        self.highlighter = EventHighlighter()
        self.formatter = EventFormatter()
        self.pending: list[str] = []
        self.lines_written = 0

    def on_mount(self) -> None:
        self.set_interval(FLUSH_INTERVAL_S, self.flush)

    def add(self, events: list[Event]) -> None:
        for event in events:
            line = self.formatter.line(event)
            if line is not None:
                self.pending.append(line.plain)
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
