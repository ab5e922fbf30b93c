"""Telemetry: the emitter and its sinks (JSONL always; PostHog when a project key is set)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # The emitter (and the event models it checks) is imported by the run as it starts: the CLI
    # asks for its sinks here before the terminal UI's first frame (`python -m bench startup`).
    from wizard_tui.telemetry.emitter import Sink

__all__ = ["network_sinks", "tracking_refused"]

log = logging.getLogger(__name__)

_FALSY = frozenset({"", "0", "false", "no", "off"})


def tracking_refused(env: Mapping[str, str]) -> bool:
    """`DO_NOT_TRACK` set to any truthy value (1, true, yes, ...) refuses network telemetry."""
    return env.get("DO_NOT_TRACK", "").strip().lower() not in _FALSY


def network_sinks(*, disabled: bool, env: Mapping[str, str] | None = None) -> list[Sink]:
    """The PostHog sink when `POSTHOG_PROJECT_API_KEY` is set, unless turned off.

    `--no-telemetry` (`disabled`) and `DO_NOT_TRACK` win over a key. A sink that cannot
    be built is logged and left out: telemetry never stops a run.
    """
    env = os.environ if env is None else env
    key = env.get("POSTHOG_PROJECT_API_KEY", "").strip()
    if disabled or not key or tracking_refused(env):
        return []
    host = env.get("POSTHOG_HOST", "").strip() or None
    try:
        from wizard_tui.telemetry.posthog_sink import PostHogSink  # lazy: start-up stays light

        return [PostHogSink(key, host)]
    except Exception:
        log.warning("PostHog telemetry is off: the client could not be set up", exc_info=True)
        return []
