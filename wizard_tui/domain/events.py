"""The one stream of run events: every fact of a run is published once, as an `AuditRecord`.

The queue store publishes each transition (enqueue, start, complete, ...); the engine
publishes the few facts that change no task through the same store (`store.audit`):
the run starting and finishing, and each agent ending. Everything else follows from
this stream: the recorder writes each record as one line of `audit.jsonl`, telemetry
derives the telemetry events from it (and republishes them here for in-process readers
such as the `--json` printer), and the UI reads the recorded lines back from disk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from wizard_tui.domain.models import AuditRecord, TelemetryRecord

Event = AuditRecord | TelemetryRecord
Subscriber = Callable[[Event], None]

# Facts that change no task, each one audit line (the transitions are named by the store).
RUN_STARTED = "run-start"  # backend, model, concurrency, pipeline, resumed
AGENT_ENDED = "agent"  # agent_id, task_type, model, turns, token counts, duration_ms, stop_reason
RUN_FINISHED = "run-finish"  # the run's metrics, interrupted, ok and token totals
API_RETRY = "api-retry"  # agent_id, task_type, attempt, max_retries, wait_s, cause: an agent waits on the API

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
