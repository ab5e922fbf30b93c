"""The event log's lines: each fact of a run once, in words, with internals marked as such.

Audit records are the run's one event stream (a task queued, started, done; an agent's
figures; the run stopped or finished). Telemetry records are derived from them for
analytics, so none gets a line of its own. Figures (turns, tokens, timings) are internal
lines, shown only when the person asks. Pure (no Textual), so the wording is tested
without an app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wizard_tui.domain.events import AGENT_ENDED, API_RETRY, RUN_FINISHED, RUN_STARTED, Event
from wizard_tui.domain.models import AuditRecord
from wizard_tui.domain.project_summary import project_line
from wizard_tui.domain.wording import TRANSITIONS, api_wait_text
from wizard_tui.tui.run_view import format_ms
from wizard_tui.tui.status_style import colour

WORD_WIDTH = 11
INTERNAL_MARK = "·"
PROBLEM = " — "  # between what happened and why it went wrong
REFERENCE = " · "  # before the task's type and id

_ORCHESTRATOR = {
    "running": ("started", "orchestrator: planning the tasks"),
    "done": ("done", "orchestrator: the queue is seeded"),
    "failed": ("FAILED", "orchestrator"),
    "interrupted": ("interrupted", "orchestrator"),
}
_BOOKKEEPING = {"flush": "wrote the queue file a last time before stopping"}
# The colour of each word in the word column: a task word takes its status's colour.
WORD_STYLES: dict[str, str] = {t.word: colour(t.shows) for t in TRANSITIONS.values()} | {
    "refused": colour("blocked"),
    "resumed": colour("retry"),
    "finished": colour("done"),
    "FINISHED": colour("failed"),
    "intent": "bold",
    "waiting": colour("retry"),
}


@dataclass(frozen=True)
class LogEntry:
    """One line of the log; `internal` lines show only when the person asks for internals."""

    text: str
    internal: bool = False


class EventWords:
    """Turns records into log lines; remembers task labels from enqueue records."""

    def __init__(self) -> None:
        self.start: datetime | None = None
        self.labels: dict[str, str] = {}
        # The run's figures time this session only: after a resume the tally says so, since the
        # log's offsets count from the run's first start.
        self.resumed = False

    def entry(self, event: Event) -> LogEntry | None:
        if not isinstance(event, AuditRecord):
            return None  # telemetry restates a fact that has its own line
        if self.start is None:
            self.start = event.ts
        stamp = f"{(event.ts - self.start).total_seconds():7.2f}s "
        return self._audit(event, stamp)

    def _audit(self, event: AuditRecord, stamp: str) -> LogEntry | None:
        extra: dict[str, Any] = event.model_extra or {}
        words = TRANSITIONS.get(event.event)
        if words is not None and event.task_id is not None:
            return LogEntry(stamp + self._task_line(event, words.word, extra))
        name = event.event
        if name == "orchestrator":
            status = str(extra.get("status", event.status))
            word, what = _ORCHESTRATOR.get(status, (status, "orchestrator"))
            if status == "done" and extra.get("task_count") is not None:
                what = f"orchestrator: seeded {extra['task_count']} tasks in {format_ms(extra.get('duration_ms') or 0)}"
            return LogEntry(stamp + _line(word, what, _problem(extra.get("error"))))
        if name == "resume":
            self.resumed = True
        fact = _fact(name, extra, stamp, resumed=self.resumed)
        if fact is not None:
            return fact
        if name == "guard":
            return LogEntry(stamp + _line("refused", f"a {event.type} task", PROBLEM + str(extra.get("message", ""))))
        if name == "detected":
            return LogEntry(stamp + _line("detected", project_line(extra)))
        if name == "install-intent":
            sdks = ", ".join(str(s) for s in extra.get("sdks", []))
            return LogEntry(stamp + _line("intent", f"install {sdks} with {extra.get('package_manager')}"))
        if name == "interrupted":
            return LogEntry(stamp + _line("interrupted", "the run", PROBLEM + "continue it with --resume"))
        if name == "run-error":
            return LogEntry(stamp + _line("FAILED", "the agent backend", PROBLEM + str(extra.get("message", ""))))
        if name == "resume":
            aside = extra.get("set_aside") or []
            note = f" ({len(aside)} stray file(s) set aside)" if aside else ""
            return LogEntry(stamp + _line("resumed", f"the run{note}"))
        # Bookkeeping, and anything newer than this module: an internal line.
        return LogEntry(f"{stamp}{INTERNAL_MARK} {_BOOKKEEPING.get(name, name)}", internal=True)

    def _task_line(self, event: AuditRecord, word: str, extra: dict[str, Any]) -> str:
        task_id = event.task_id or ""
        if event.event == "enqueue":
            self.labels[task_id] = str(extra.get("label", ""))
        label = self.labels.get(task_id) or task_id
        detail = ""
        error = extra.get("error")
        if event.event in ("fail", "requeue"):
            detail = _problem(error)
        elif event.event == "block":
            blocker = str(extra.get("blocked_by", ""))
            detail = f"{PROBLEM}{self.labels.get(blocker) or blocker} did not finish"
        elif event.event == "start" and (event.attempts or 0) > 1:
            detail = f" (attempt {event.attempts})"
        elif event.event == "reset":
            back = extra.get("to") == "pending"
            detail = " (back to pending after the stop)" if back else f"{PROBLEM}no attempts left"
        return _line(word, label, detail) + f"{REFERENCE}{event.type or ''} {task_id}"


def _fact(name: str, x: dict[str, Any], stamp: str, *, resumed: bool = False) -> LogEntry | None:
    """A fact that changes no task: the run starting or finishing, an agent's figures."""
    if name == RUN_STARTED:
        return LogEntry(stamp + _line("started", f"the run (backend {x.get('backend')}, model {x.get('model')})"))
    if name == RUN_FINISHED:
        if x.get("interrupted"):  # the audit's `interrupted` line already says the run stopped
            return LogEntry(f"{stamp}{INTERNAL_MARK} figures of the stopped run: {_run_tally(x)}", internal=True)
        # Capitals when something went wrong, like FAILED and BLOCKED: a failed task, or a run
        # that did not complete without one (an orchestrator that never seeded the queue).
        failed = x.get("ok") is False or x.get("tasks_failed") or x.get("tasks_blocked")
        word = "FINISHED" if failed else "finished"
        return LogEntry(stamp + _line(word, f"the run: {_run_tally(x)}{' since it resumed' if resumed else ''}"))
    if name == AGENT_ENDED:
        return LogEntry(f"{stamp}{INTERNAL_MARK} {_agent_figures(x)}", internal=True)
    if name == API_RETRY:  # the run is waiting on the model API: shown, not internal
        return LogEntry(f"{stamp}{'waiting':<{WORD_WIDTH}} {api_wait_text(x)}")
    return None


def _line(word: str, what: str, detail: str = "") -> str:
    return f"{word:<{WORD_WIDTH}} {what}{detail}"


def _problem(error: object) -> str:
    if not isinstance(error, dict):
        return ""
    return f"{PROBLEM}{error.get('kind')}: {error.get('message')}"


def _run_tally(p: dict[str, Any]) -> str:
    text = f"{p.get('tasks_done')}/{p.get('tasks_total')} done"
    for key, word in (("tasks_failed", "failed"), ("tasks_blocked", "blocked"), ("tasks_skipped", "skipped")):
        if p.get(key):
            text += f", {p[key]} {word}"
    if p.get("total_duration_ms") is not None:
        text += f" in {format_ms(p['total_duration_ms'])}"
    return text


def _agent_figures(p: dict[str, Any]) -> str:
    """An agent's turns and time, and its tokens when it used a model (the offline agent uses none)."""
    text = f"agent {p.get('task_type')}: {p.get('turns')} turns in {format_ms(p.get('duration_ms') or 0)}"
    tokens_in, tokens_out = p.get("input_tokens") or 0, p.get("output_tokens") or 0
    if tokens_in or tokens_out:
        text += f", {tokens_in:,} tokens in, {tokens_out:,} out"
        cached = p.get("cache_read_input_tokens") or 0
        if cached:
            text += f" ({cached:,} from the cache)"
    return text
