"""A scripted "model" that follows the seed and stub procedures, for full runs on the fake API.

It decides each reply from the request alone, as a model would: the tools it was given,
its prompt and the tool results so far. The orchestrator detects, records the install
intent, lists files, then enqueues the graph a few tasks per turn; a task agent writes
its marker, enqueues its follow-ups, and reports. Knobs make agents misbehave on purpose.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.support.fakes.messages_api import RecordedRequest, Reply, ToolCall, Turn, task_id_of, text, tool_use

_INPUTS = re.compile(r"## Your inputs\s+```json\n(.*?)\n```", re.S)
_TYPE = re.compile(r"^- type: (\S+)", re.M)
_SDKS = {"nextjs": ["posthog-js", "posthog-node"], "django": ["posthog"], "fastapi": ["posthog"]}
HANDOFF_KEYS = ("goal", "did", "for_next_agent")


def task_inputs(request: RecordedRequest) -> dict[str, Any]:
    match = _INPUTS.search(request.first_user_text)
    return dict(json.loads(match.group(1))) if match else {}


def task_type(request: RecordedRequest) -> str:
    match = _TYPE.search(request.first_user_text)
    return match.group(1) if match else ""


def _done(calls: list[ToolCall], name: str) -> list[ToolCall]:
    return [c for c in calls if c.name == name and not c.is_error]


@dataclass
class SkeletonModel:
    """The responder. `never_report`: task types whose agent ends without complete_task."""

    never_report: set[str] = field(default_factory=set)
    bad_handoff_once: set[str] = field(default_factory=set)
    model_name: str | None = None  # what the API says it ran, e.g. a dated snapshot
    enqueue_model: str | None = None  # the orchestrator names this model in every enqueue
    refuse: set[str] = field(default_factory=set)  # task types whose agent's first turn is a refusal
    # Real bodies have no write_marker: a task agent there reads its dependencies' handoffs instead.
    first_call: str = "write_marker"

    def __call__(self, request: RecordedRequest) -> Reply:
        if not request.tool_names:  # the backend's one-token check before the run
            return Turn([text("pong")], stop_reason="max_tokens")
        reply = self._orchestrate(request) if request.is_orchestrator else self._task(request)
        if self.model_name:
            reply.model = self.model_name
        if self.enqueue_model and isinstance(reply, Turn) and request.is_orchestrator:
            for block in reply.content:
                if block.get("name") == "enqueue_task":
                    block["input"]["model"] = self.enqueue_model
        return reply

    # The seed procedure: detect, record intent, explore, then enqueue the graph.
    def _orchestrate(self, request: RecordedRequest) -> Turn:
        calls = request.tool_calls()
        detect = _done(calls, "detect_framework")
        if not detect:
            # The seed procedure's first turn: detect, list, and enqueue the two roots at once.
            return Turn(
                [
                    text("I'll detect the framework, look at the files and enqueue the roots."),
                    tool_use("detect_framework", {}),
                    tool_use("list_files", {"path": ".", "max_results": 200}),
                    tool_use("enqueue_task", {"type": "install", "label": "Install SDKs", "reason": "SDKs first."}),
                    tool_use("enqueue_task", {"type": "init", "label": "Initialise PostHog", "reason": "Init once."}),
                ]
            )
        detection = detect[0].data()
        if not _done(calls, "record_install_intent"):
            framework = detection["framework"]
            return Turn(
                [
                    tool_use(
                        "record_install_intent",
                        {
                            "sdks": _SDKS.get(framework, ["posthog-js"]),
                            "package_manager": detection.get("package_manager") or "unknown",
                            "reason": f"Detected {framework}.",
                        },
                    )
                ]
            )
        enqueued = {c.input["type"]: c.data()["id"] for c in _done(calls, "enqueue_task")}
        roots = [enqueued["install"], enqueued["init"]]
        if "plan-capture" not in enqueued:
            files = _done(calls, "list_files")[0].data()["files"]
            sources = [f for f in files if not f.rsplit("/", 1)[-1].startswith(".")] or files
            pages = [f for f in sources if re.search(r"(^|/)(page|index|views)\.\w+$|^pages/", f)][:2] or sources[:1]
            follow_ups = [
                {
                    "type": "capture",
                    "label": f"Capture: {p}"[:80],
                    "inputs": {"area": p, "file": p},
                    "reason": f"{p} is where users act.",
                }
                for p in pages
            ]
            return Turn(
                [
                    tool_use(
                        "enqueue_task",
                        {
                            "type": "identify",
                            "label": "Identify users",
                            "depends_on": roots,
                            "reason": "Tie events to people.",
                        },
                    ),
                    tool_use(
                        "enqueue_task",
                        {
                            "type": "plan-capture",
                            "label": "Plan capture",
                            "depends_on": roots,
                            "inputs": {"follow_ups": follow_ups},
                            "reason": "Plan the events.",
                        },
                    ),
                ]
            )
        if "capture" not in enqueued:
            blocks = [
                tool_use(
                    "enqueue_task",
                    {
                        "type": "capture",
                        "label": "Capture core events",
                        "depends_on": [enqueued["plan-capture"]],
                        "reason": "Send the planned events.",
                    },
                )
            ]
            llm_calls = [c for c in detection.get("llm_calls") or [] if c.get("line")]
            if llm_calls:
                sites = [{"file": c["file"], "line": c["line"], "sdk": c["sdk"]} for c in llm_calls]
                blocks.append(
                    tool_use(
                        "enqueue_task",
                        {
                            "type": "llm-analytics",
                            "label": "LLM analytics",
                            "depends_on": [enqueued["init"]],
                            "inputs": {"llm_calls": sites},
                            "reason": "Detection found LLM calls.",
                        },
                    )
                )
            return Turn(blocks)
        return Turn([text("The queue is seeded.")])

    # The stub body: marker, follow-ups, report.
    def _task(self, request: RecordedRequest) -> Turn:
        calls = request.tool_calls()
        kind = task_type(request)
        if kind in self.refuse:
            return Turn([text("I can't help with that.")], stop_reason="refusal")
        if not _done(calls, self.first_call):
            first = {"note": f"stub ran for {task_id_of(request)}"} if self.first_call == "write_marker" else {}
            return Turn([tool_use(self.first_call, first)])
        follow_ups = task_inputs(request).get("follow_ups") or []
        if follow_ups and not [c for c in calls if c.name == "enqueue_task"]:
            return Turn([tool_use("enqueue_task", {**fu, "depends_on": [task_id_of(request)]}) for fu in follow_ups])
        if kind in self.never_report:
            return Turn([text("I wrote the marker; that is all.")])
        handoff = {"goal": f"Stub for {kind}.", "did": "Wrote the marker.", "for_next_agent": "Nothing yet."}
        reports = [c for c in calls if c.name == "complete_task"]
        if kind in self.bad_handoff_once and not reports:
            return Turn([tool_use("complete_task", {"status": "done", "handoff": {"goal": "", "did": "x"}})])
        return Turn([text("Reporting."), tool_use("complete_task", {"status": "done", "handoff": handoff})])
