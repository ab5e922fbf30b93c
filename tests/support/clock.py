"""A clock and ids that move only when told, so files, goldens and snapshots are the same on every run."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta


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


class SequentialIds:
    """Deterministic ids (`t-001`, `t-002`, ...) for tests."""

    def __init__(self) -> None:
        self._counters: dict[str, itertools.count[int]] = {}

    def __call__(self, prefix: str) -> str:
        counter = self._counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}-{next(counter):03d}"
