"""Time and ids, injected so tests and snapshots can freeze them."""

from __future__ import annotations

import itertools
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Wall time for records, monotonic time for durations."""

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FrozenClock:
    """A clock that moves only when told (or by `step` on every read), for tests."""

    def __init__(self, start: datetime | None = None, step: float = 0.0) -> None:
        self._start = start or datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
        self._t = 0.0
        self.step = step

    def advance(self, seconds: float) -> None:
        self._t += seconds

    def now(self) -> datetime:
        value = self._start + timedelta(seconds=self._t)
        self._t += self.step
        return value

    def monotonic(self) -> float:
        value = self._t
        self._t += self.step
        return value


class IdFactory(Protocol):
    def __call__(self, prefix: str) -> str: ...


def random_ids(prefix: str) -> str:
    """Short unique ids such as `t-3f9a1c`."""
    return f"{prefix}-{secrets.token_hex(3)}"


class SequentialIds:
    """Deterministic ids (`t-001`, `t-002`, ...) for tests."""

    def __init__(self) -> None:
        self._counters: dict[str, itertools.count[int]] = {}

    def __call__(self, prefix: str) -> str:
        counter = self._counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}-{next(counter):03d}"
