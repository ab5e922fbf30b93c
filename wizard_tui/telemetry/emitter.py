"""One emitter that turns the run's facts into telemetry events and fans them out.

`Telemetry.observe` subscribes to the event bus and derives each telemetry event from the
fact it reports (`derive.py`), stamped with that fact's own time; the records go to every
sink and back onto the bus for in-process readers.

Telemetry must never fail or stall the run. A local sink (`inline = True`, such as the
JSONL file) is written in the caller's thread, and its errors are logged and swallowed;
every other sink runs on its own thread behind a bounded queue, so one that blocks or
hangs costs the run nothing but its own records, and closing waits a bounded time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from wizard_tui.domain.clock import Clock
from wizard_tui.domain.events import Event, EventBus
from wizard_tui.domain.models import AuditRecord, TelemetryRecord
from wizard_tui.domain.writers import JsonlAppender
from wizard_tui.telemetry.derive import derive
from wizard_tui.telemetry.events import OTHER, event_problems

log = logging.getLogger(__name__)
RECENT_RECORDS = 1_000

CLOSE_BUDGET_S = 2.0
MAX_PENDING = 10_000
# Text from outside our code is never more than a short word: longer strings are cut.
MAX_TEXT = 64
MAX_ITEMS = 50


class Sink(Protocol):
    """Where telemetry records go. Runs on its own thread unless it sets `inline = True`."""

    def write(self, record: TelemetryRecord) -> None: ...

    def close(self) -> None: ...


class JsonlSink:
    """`telemetry.jsonl` in the run dir: always on, written in order as events happen."""

    inline = True

    def __init__(self, path: Path, *, on_error: Callable[[OSError], None] | None = None) -> None:
        # A failed write (disk full) goes to `on_error`: in a run it stops the run, resumably.
        self._out = JsonlAppender(path, on_error=on_error)

    def write(self, record: TelemetryRecord) -> None:
        self._out.append(record)

    def close(self) -> None:
        self._out.close()


class BackgroundSink:
    """Feeds a sink from a daemon thread, so a slow or hung sink never blocks the emitter."""

    inline = True  # its own write only enqueues

    def __init__(self, inner: Sink, *, max_pending: int = MAX_PENDING) -> None:
        self.inner = inner
        self.name = type(inner).__name__
        self.dropped = 0
        self.failures = 0
        self._pending: queue.Queue[TelemetryRecord | None] = queue.Queue(max_pending)
        self._closing = False
        self._thread = threading.Thread(target=self._pump, name=f"telemetry-{self.name}", daemon=True)
        self._thread.start()

    def write(self, record: TelemetryRecord) -> None:
        if self._closing:
            self.dropped += 1
            return
        try:
            self._pending.put_nowait(record)
        except queue.Full:  # the sink is stuck or far behind: drop rather than wait
            self.dropped += 1

    def _pump(self) -> None:
        while True:
            try:
                record = self._pending.get(timeout=0.25)
            except queue.Empty:
                if self._closing:  # stop() could not enqueue its marker into a full queue
                    break
                continue
            if record is None:
                break
            try:
                self.inner.write(record)
            except Exception:
                self.failures += 1
                if self.failures == 1:
                    log.warning("telemetry sink %s failed", self.name, exc_info=True)
        try:
            self.inner.close()
        except Exception:
            log.warning("telemetry sink %s failed to close", self.name, exc_info=True)

    def stop(self) -> None:
        """Ask the thread to deliver what is queued, close the sink and end."""
        self._closing = True
        # A hung sink may have filled its queue; the join then gives up on it.
        with contextlib.suppress(queue.Full):
            self._pending.put_nowait(None)

    def join(self, timeout_s: float) -> bool:
        """Wait at most `timeout_s` for the thread; False when the sink was abandoned."""
        self._thread.join(max(0.0, timeout_s))
        if self._thread.is_alive():
            log.warning("telemetry sink %s did not finish in time; abandoned", self.name)
            return False
        return True

    def close(self, timeout_s: float = CLOSE_BUDGET_S) -> None:
        self.stop()
        self.join(timeout_s)


def bounded(value: Any, depth: int = 0) -> Any:
    """JSON-safe, size-bounded copy of a property value: text is cut, unknown objects become words."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if len(value) <= MAX_TEXT and value.isascii():
            return value  # the common case (types, models, ids): nothing to cut or replace
        # A lone surrogate would make the JSONL line unwritable: replace it, as any reader would.
        text = value[:MAX_TEXT].encode("utf-8", "replace").decode("utf-8")
        return text if len(value) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
    if depth < 2 and isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [bounded(v, depth + 1) for v in list(items)[:MAX_ITEMS]]
    if depth < 2 and isinstance(value, dict):
        return {str(k)[:MAX_TEXT]: bounded(v, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}
    return type(value).__name__


def restrict(properties: dict[str, Any], vocabulary: dict[str, frozenset[str]]) -> dict[str, Any]:
    """`properties` with each closed property's value kept only when it is a known word, else `other`."""

    return {k: _allowed(vocabulary.get(k), v) for k, v in properties.items()}


def _allowed(words: frozenset[str] | None, value: Any) -> Any:
    """`value` when `words` (a closed property's vocabulary) has it or there is none; else `other`."""
    if words is None or value is None:
        return value
    if isinstance(value, list):
        return [v if v in words else OTHER for v in value]
    return value if value in words else OTHER


class Telemetry:
    """Builds `{event, ts, run_id, properties}` records and hands them to every sink and the bus."""

    def __init__(self, run_id: str, clock: Clock, bus: EventBus | None = None, sinks: list[Sink] | None = None) -> None:
        self.run_id = run_id
        self.clock = clock
        self.bus = bus
        self.sinks: list[Sink] = [s if getattr(s, "inline", False) else BackgroundSink(s) for s in (sinks or [])]
        # The most recent records, for tests and debugging; bounded so a long run holds no history.
        self.records: deque[TelemetryRecord] = deque(maxlen=RECENT_RECORDS)
        self._failed: set[int] = set()
        self._misshapen: set[str] = set()
        self._closed = False
        # Property -> the words it may carry (see `events.vocabulary`); other values become `other`.
        self.vocabulary: dict[str, frozenset[str]] = {}

    def observe(self, event: Event) -> None:
        """A bus subscriber: the telemetry event a fact of the run is, if any, emitted at the fact's time."""
        if not isinstance(event, AuditRecord):
            return  # our own records, republished
        derived = derive(event)
        if derived is not None:
            name, properties = derived
            self.emit(name, event.ts, **properties)

    def emit(self, event: str, ts: datetime | None = None, /, **properties: Any) -> TelemetryRecord:
        """Stamp one event (at `ts`, else now) and hand it to every sink and the bus."""
        vocabulary = self.vocabulary
        # One pass: each closed property kept only when it is a known word, then every value bounded.
        props = {k: bounded(_allowed(vocabulary.get(k), v)) for k, v in properties.items()}
        if event not in self._misshapen and (problems := event_problems(event, props)):
            self._misshapen.add(event)  # a bug of ours: say it once, still deliver the event
            log.warning("telemetry event %r does not fit its contract: %s", event, "; ".join(problems))
        record = TelemetryRecord(event=event, ts=ts or self.clock.now(), run_id=self.run_id, properties=props)
        self.records.append(record)
        if not self._closed:
            for sink in self.sinks:
                try:
                    sink.write(record)
                except Exception:
                    if id(sink) not in self._failed:
                        self._failed.add(id(sink))
                        log.warning("telemetry sink %s failed", type(sink).__name__, exc_info=True)
        if self.bus is not None:
            self.bus.publish(record)
        return record

    def close(self, timeout_s: float = CLOSE_BUDGET_S) -> None:
        """Close every sink; background sinks share one deadline of `timeout_s` in all."""
        if self._closed:
            return
        self._closed = True
        deadline = time.monotonic() + timeout_s
        background = [s for s in self.sinks if isinstance(s, BackgroundSink)]
        for sink in background:
            sink.stop()
        for inline in self.sinks:
            if isinstance(inline, BackgroundSink):
                continue
            try:
                inline.close()
            except Exception:
                log.warning("telemetry sink %s failed to close", type(inline).__name__, exc_info=True)
        for sink in background:
            sink.join(deadline - time.monotonic())

    async def aclose(self, timeout_s: float = CLOSE_BUDGET_S) -> None:
        """`close` off the event loop when a network sink must be waited for, so it never freezes a UI."""
        if any(isinstance(s, BackgroundSink) for s in self.sinks):
            await asyncio.to_thread(self.close, timeout_s)
        else:  # only local files: closing them is quicker than a thread hop
            self.close(timeout_s)
