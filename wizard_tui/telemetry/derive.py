"""The telemetry events as a function of the run's one event stream (the audit records).

Nothing in the run emits telemetry itself: the store and the engine publish each fact
once, and `derive` says which event of `events.py` (if any) that fact is, with which
properties. The README's Telemetry section has the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wizard_tui.domain.events import AGENT_ENDED, RUN_FINISHED, RUN_STARTED
from wizard_tui.domain.models import ORCHESTRATOR, AuditRecord
from wizard_tui.domain.settings import USAGE_KEYS

Derived = tuple[str, dict[str, Any]]


def _extra(record: AuditRecord) -> dict[str, Any]:
    return record.model_extra or {}


def _enqueued(record: AuditRecord) -> Derived:
    by = _extra(record).get("enqueued_by", ORCHESTRATOR)
    return "orchestrator task enqueued", {
        "type": record.type,
        "enqueued_by": "orchestrator" if by == ORCHESTRATOR else "task",
        "depth": _extra(record).get("depth", 0),
        "dynamic": by != ORCHESTRATOR,
    }


def _started(record: AuditRecord) -> Derived:
    x = _extra(record)
    return "orchestrator task started", {
        "type": record.type,
        "model": x.get("model"),
        "attempts": record.attempts,
        "ms_since_run_start": x.get("ms_since_run_start", 0),
    }


def _ended(name: str) -> Callable[[AuditRecord], Derived]:
    def derive(record: AuditRecord) -> Derived:
        x = _extra(record)
        props: dict[str, Any] = {
            "type": record.type,
            "model": x.get("model"),
            "attempts": record.attempts,
            "duration_ms": x.get("duration_ms", 0),
        }
        if name == "failed":
            error = x.get("error")
            props["error_kind"] = error.get("kind") if isinstance(error, dict) else "unknown"
        elif name == "blocked":
            props["blocked_by"] = x.get("blocked_by")
        return f"orchestrator task {name}", props

    return derive


def _guard(record: AuditRecord) -> Derived:
    return "orchestrator guard tripped", {"guard": _extra(record).get("guard"), "type": record.type}


def _seeded(record: AuditRecord) -> Derived | None:
    x = _extra(record)
    status = record.status
    if status not in ("done", "failed"):
        return None  # running or interrupted: seeding has not ended
    return "orchestrator seeded", {
        "task_count": x.get("task_count", 0),
        "types": x.get("types", []),
        "duration_ms": x.get("duration_ms", 0),
        "ok": status == "done",
    }


def _run_started(record: AuditRecord) -> Derived:
    x = _extra(record)
    keys = ("backend", "model", "concurrency", "pipeline", "resumed")
    return "orchestrator started", {k: x.get(k) for k in keys}


def _agent_ended(record: AuditRecord) -> Derived:
    x = _extra(record)
    keys = ("task_type", "model", "turns", *USAGE_KEYS, "cost_usd", "duration_ms", "stop_reason")
    return "agent completed", {k: x.get(k) for k in keys}


def _run_finished(record: AuditRecord) -> Derived:
    return "orchestrator run finished", dict(_extra(record))


_DERIVE: dict[str, Callable[[AuditRecord], Derived | None]] = {
    "enqueue": _enqueued,
    "start": _started,
    "complete": _ended("completed"),
    "skip": _ended("skipped"),
    "fail": _ended("failed"),
    "block": _ended("blocked"),
    "guard": _guard,
    "orchestrator": _seeded,
    RUN_STARTED: _run_started,
    AGENT_ENDED: _agent_ended,
    RUN_FINISHED: _run_finished,
}


def derive(record: AuditRecord) -> Derived | None:
    """The telemetry event this fact is, with its properties; None for facts telemetry does not report."""
    rule = _DERIVE.get(record.event)
    return rule(record) if rule is not None else None
