"""The one stream of run events that the headless printer, the TUI and tests consume."""

from __future__ import annotations

import logging
from collections.abc import Callable

from wizard_tui.domain.models import AuditRecord, TelemetryRecord

Event = AuditRecord | TelemetryRecord
Subscriber = Callable[[Event], None]

log = logging.getLogger(__name__)


class EventBus:
    """Synchronous fan-out. A subscriber that raises is logged and never stops the run."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: Event) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:  # a broken consumer must not break the run
                log.exception("event subscriber failed")
