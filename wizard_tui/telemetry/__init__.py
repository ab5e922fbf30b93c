"""Telemetry: the emitter and its sinks (JSONL always; PostHog when configured)."""

from __future__ import annotations

from typing import Any


def network_sinks(*, disabled: bool) -> list[Any]:
    """Sinks that leave the machine. None yet: the PostHog sink is built in its own issue."""
    return []
