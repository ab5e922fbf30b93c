"""`--no-ui` output: one line per visible transition, then a summary; or JSON lines.

It subscribes to the run's event bus (the TUI reads the same facts back from the run dir)
and never imports Textual.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from typing import Any, TextIO

from wizard_tui.domain.events import API_RETRY, Event
from wizard_tui.domain.models import AuditRecord, TelemetryRecord
from wizard_tui.domain.printable import printable
from wizard_tui.domain.project_summary import detection_sentences, project_line
from wizard_tui.domain.settings import CHANGES_PATCH_FILE, REPORT_FILE, RUN_DIR_NAME
from wizard_tui.domain.spend import format_usd
from wizard_tui.domain.wording import TRANSITIONS, api_wait_text
from wizard_tui.engine.run import RunResult

_TELEMETRY_LINES = {"orchestrator seeded", "orchestrator started"}


class HeadlessPrinter:
    """Formats run events for a CI log. `labels` remembers task labels from enqueue lines."""

    def __init__(self, out: TextIO | None = None, *, json_lines: bool = False, project: str = "this folder") -> None:
        self.out = out or sys.stdout
        self.json_lines = json_lines
        self.project = project  # the folder as the person named it, for the detection sentences
        self.start: datetime | None = None
        self.labels: dict[str, str] = {}
        self.detected: dict[str, Any] | None = None
        self.closed = False

    def __call__(self, event: Event) -> None:
        if self.start is None:
            self.start = event.ts
        if self.json_lines:
            kind = "audit" if isinstance(event, AuditRecord) else "telemetry"
            payload = {"kind": kind, **event.model_dump(mode="json")}
            self._write(json.dumps(payload, separators=(",", ":"), default=str))
            return
        if isinstance(event, AuditRecord) and event.event == "detected":
            self.detected = dict(event.model_extra or {})
            stamp = self._stamp(event.ts)
            for i, sentence in enumerate(detection_sentences(self.detected, self.project)):
                self._write(f"{stamp if i == 0 else ' ' * len(stamp)} {sentence}")
            return
        line = self.format(event)
        if line:
            self._write(line)

    def _write(self, line: str) -> None:
        if self.closed:
            return
        try:
            # Labels, ids, paths and error messages came from the project or the model: one
            # line stays one line and no escape sequence reaches the terminal.
            self.out.write(printable(line) + "\n")
            self.out.flush()
        except BrokenPipeError:
            # The reader went away (`| head`): the run goes on, its files stay complete, and
            # stdout points at /dev/null so the interpreter's last flush does not fail either.
            self.closed = True
            if self.out is sys.stdout:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)

    def _stamp(self, ts: datetime) -> str:
        assert self.start is not None
        return f"[{(ts - self.start).total_seconds():7.2f}s]"

    def format(self, event: Event) -> str | None:
        stamp = self._stamp(event.ts)
        if isinstance(event, TelemetryRecord):
            props = event.properties
            if event.event == "orchestrator started":
                return f"{stamp} run started: backend {props.get('backend')}, model {props.get('model')}"
            if event.event == "orchestrator seeded":
                types = ", ".join(props.get("types", []))
                return f"{stamp} seeded {props.get('task_count')} tasks in {props.get('duration_ms')} ms ({types})"
            return None
        extra: dict[str, Any] = event.model_extra or {}
        if event.event == "orchestrator":
            error = extra.get("error")
            tail = f": {error['message']}" if isinstance(error, dict) else ""
            return f"{stamp} orchestrator {extra.get('status', event.status)}{tail}"
        if event.event == "guard":
            return f"{stamp} guard {extra.get('guard')} refused a {event.type} task from {extra.get('enqueued_by')}"
        if event.event == API_RETRY:
            return f"{stamp} waiting     {api_wait_text(extra)}"
        if event.event == "install-intent":
            return f"{stamp} install intent: {', '.join(extra.get('sdks', []))} with {extra.get('package_manager')}"
        words = TRANSITIONS.get(event.event)
        if words is None or event.task_id is None:
            return None
        word = words.word
        if event.event == "enqueue":
            self.labels[event.task_id] = str(extra.get("label", ""))
        label = self.labels.get(event.task_id, "")
        line = f"{stamp} {word:<11} {event.task_id}  {event.type or '':<14} {label}"
        if event.event == "enqueue":
            deps = extra.get("depends_on") or []
            by = extra.get("enqueued_by")
            if deps:
                line += f"  (after {', '.join(deps)})"
            if by and by != "orchestrator":
                line += f"  [enqueued by {by}]"
        elif event.event == "start":
            line += f"  (attempt {event.attempts})"
        elif event.event in ("fail", "requeue"):
            error = extra.get("error") or {}
            line += f"  ({error.get('kind')}: {error.get('message')})"
        elif event.event == "skip" and extra.get("reason"):
            line += f"  ({extra['reason']})"
        elif event.event == "block":
            line += f"  (dependency {extra.get('blocked_by')} did not finish)"
        return line.rstrip()

    def summary(self, result: RunResult, run_dir: str, backend: str) -> None:
        if self.json_lines:
            payload: dict[str, Any] = {
                "kind": "summary",
                "exit_code": result.exit_code,
                "run_id": result.run_id,
                "message": result.message,
                "run_dir": run_dir,
                "backend": backend,
                "metrics": result.metrics.model_dump() if result.metrics else None,
                "usage": result.usage,
                "usage_by_model": result.usage_by_model,
                "cost_usd": result.cost_usd,
                "patch_files": result.patch_files,
                "next_step": result.next_step,
            }
            self._write(json.dumps(payload, separators=(",", ":"), default=str))
            return
        m = result.metrics
        lines = ["", "Summary"]
        if m is not None:
            lines.append(
                f"  tasks: {m.tasks_done}/{m.tasks_total} done, {m.tasks_failed} failed, "
                f"{m.tasks_skipped} skipped, {m.tasks_blocked} blocked"
            )
            first = "n/a" if m.time_to_first_task_ms is None else f"{m.time_to_first_task_ms} ms"
            done = "n/a" if m.time_to_first_completion_ms is None else f"{m.time_to_first_completion_ms} ms"
            lines.append(
                f"  time: {m.total_duration_ms} ms in all, first task started after {first}, "
                f"first done after {done}, longest silence {m.max_gap_ms} ms"
            )
            lines.append(f"  dynamic enqueues: {m.dynamic_enqueue_count}, retried tasks: {m.retried_task_count}")
        if self.detected is not None:
            lines.append(f"  project: {project_line(self.detected)}")
        if result.usage and any(result.usage.values()):
            lines.append(f"  tokens: {_tokens(result.usage)}")
        if result.cost_usd is not None:
            lines.append(f"  cost {format_usd(result.cost_usd)} at list prices")
            for model, spent in result.usage_by_model.items():
                price = "no price" if spent.get("cost_usd") is None else format_usd(spent["cost_usd"])
                lines.append(f"    {model}: {_tokens(spent)}, {price}")
        lines.append(f"  backend: {backend}")
        lines.append(f"  run dir: {run_dir}")
        if result.patch_files:
            lines.append(f"  changes: {result.patch_files} file(s) in {RUN_DIR_NAME}/{CHANGES_PATCH_FILE}")
            lines.append(f"  report: {RUN_DIR_NAME}/{REPORT_FILE}")
        lines.append(result.message)
        if result.next_step:
            lines.append(result.next_step)
        for line in lines:
            self._write(line)


def _tokens(usage: dict[str, Any]) -> str:
    return (
        f"{usage.get('input_tokens', 0)} in, {usage.get('output_tokens', 0)} out, "
        f"{usage.get('cache_read_input_tokens', 0)} cache read, "
        f"{usage.get('cache_creation_input_tokens', 0)} cache write"
    )
