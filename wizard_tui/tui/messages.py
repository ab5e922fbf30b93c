"""The app's domain messages: what the mirror and the run worker tell the screen."""

from __future__ import annotations

from textual.message import Message

from wizard_tui.domain.events import Event
from wizard_tui.engine.run import RunResult
from wizard_tui.tui.run_view import RunView


class RunStateChanged(Message):
    """A new picture of the run. Only the newest matters, so it replaces an older one still queued."""

    def __init__(self, view: RunView) -> None:
        super().__init__()
        self.view = view

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RunStateChanged)


class RunEventsArrived(Message):
    """New audit records (the run's facts), oldest first. Never replaced: every line is shown."""

    def __init__(self, events: list[Event]) -> None:
        super().__init__()
        self.events = events


class RunEnded(Message):
    """The run worker finished (or was stopped); `result` is None when it was cancelled or crashed."""

    def __init__(self, result: RunResult | None, error: str | None = None) -> None:
        super().__init__()
        self.result = result
        self.error = error
