"""One emitter that stamps telemetry events and fans them out to sinks.

A sink that fails is logged and dropped from nothing else: the run never fails or
stalls because telemetry could not be delivered.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol

from wizard_tui.core.clock import Clock
from wizard_tui.core.events import EventBus
from wizard_tui.core.models import TelemetryRecord
from wizard_tui.core.persistence import JsonlAppender

log = logging.getLogger(__name__)


class Sink(Protocol):
    """Where telemetry records go."""

    def write(self, record: TelemetryRecord) -> None: ...

    def close(self) -> None: ...


class JsonlSink:
    """`telemetry.jsonl` in the run dir: always on."""

    def __init__(self, path: Path) -> None:
        self._out = JsonlAppender(path)

    def write(self, record: TelemetryRecord) -> None:
        self._out.append(record)

    def close(self) -> None:
        self._out.close()


class Telemetry:
    """Builds `{event, ts, run_id, properties}` records and hands them to every sink and the bus."""

    def __init__(self, run_id: str, clock: Clock, bus: EventBus | None = None, sinks: list[Sink] | None = None) -> None:
        self.run_id = run_id
        self.clock = clock
        self.bus = bus
        self.sinks: list[Sink] = list(sinks or [])
        self.records: list[TelemetryRecord] = []

    def emit(self, event: str, **properties: Any) -> TelemetryRecord:
        record = TelemetryRecord(event=event, ts=self.clock.now(), run_id=self.run_id, properties=properties)
        self.records.append(record)
        for sink in self.sinks:
            try:
                sink.write(record)
            except Exception:
                log.warning("telemetry sink %s failed", type(sink).__name__, exc_info=True)
        if self.bus is not None:
            self.bus.publish(record)
        return record

    def close(self) -> None:
        for sink in self.sinks:
            try:
                sink.close()
            except Exception:
                log.warning("telemetry sink %s failed to close", type(sink).__name__, exc_info=True)
