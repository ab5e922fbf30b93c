"""The PostHog sink: run events to a PostHog project through the official `posthog` package.

Each run is one anonymous distinct id (the run id) with no person profile. The client
batches in its own background thread; closing flushes with a bounded wait and never
blocks on a dead or slow endpoint, which the library's own `shutdown()` would
(it drains without a time limit).
"""

from __future__ import annotations

import atexit
import logging
from typing import Any

from wizard_tui.domain.models import TelemetryRecord

log = logging.getLogger(__name__)

FLUSH_BUDGET_S = 1.8  # inside the emitter's 2 s close budget, leaving room to stop the client
REQUEST_TIMEOUT_S = 3.0
FLUSH_INTERVAL_S = 1.0


class PostHogSink:
    """Captures every telemetry record as a PostHog event of an anonymous run."""

    def __init__(
        self,
        api_key: str,
        host: str | None = None,
        *,
        flush_budget_s: float = FLUSH_BUDGET_S,
        request_timeout_s: float = REQUEST_TIMEOUT_S,
        flush_interval_s: float = FLUSH_INTERVAL_S,
    ) -> None:
        from posthog import Posthog  # lazy: about 0.4 s to import, paid only with a key

        # The library reports upload errors on its logger; without a handler of ours they
        # would reach stderr through logging's last resort and scribble over the UI.
        library_log = logging.getLogger("posthog")
        if not any(isinstance(h, logging.NullHandler) for h in library_log.handlers):
            library_log.addHandler(logging.NullHandler())
        self.flush_budget_s = flush_budget_s
        self.failed_batches = 0
        self.host = host
        self._client: Any = Posthog(
            api_key,
            host=host or None,
            gzip=True,
            timeout=request_timeout_s,
            max_retries=1,
            flush_interval=flush_interval_s,
            # `/batch/` is what every PostHog host serves; an environment variable
            # (POSTHOG_CAPTURE_MODE) must not switch the wire protocol under us.
            capture_mode="v0",
            is_server=False,
            disable_geoip=True,
            on_error=self._on_error,
        )

    def _on_error(self, error: Exception, batch: list[Any]) -> None:
        self.failed_batches += 1
        log.debug("PostHog rejected or missed a batch of %d events: %s", len(batch), error)

    def write(self, record: TelemetryRecord) -> None:
        self._client.capture(
            record.event,
            distinct_id=record.run_id,
            properties={
                **record.properties,
                "run_id": record.run_id,
                "$process_person_profile": False,
            },
            timestamp=record.ts,
        )

    def close(self) -> None:
        client = self._client
        client.flush(timeout_seconds=self.flush_budget_s)
        if client.queue.unfinished_tasks == 0:
            # Nothing in flight: shutdown only stops idle consumer threads, so it is quick.
            client.shutdown()
        else:
            log.debug("PostHog flush ran out of time; %d events dropped", client.queue.unfinished_tasks)
        # The library's exit hook would wait up to another second for a dead endpoint; we
        # already spent our budget, and its consumer threads are daemons that die with us.
        hook = getattr(client, "_atexit", None)
        if hook is not None:
            atexit.unregister(hook)
