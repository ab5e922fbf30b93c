"""Time and ids, injected so tests and snapshots can freeze them."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
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


class IdFactory(Protocol):
    def __call__(self, prefix: str) -> str: ...


def random_ids(prefix: str) -> str:
    """Short unique ids such as `t-3f9a1c`."""
    return f"{prefix}-{secrets.token_hex(3)}"
