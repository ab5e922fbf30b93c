"""The walking skeleton's task body (`stub.md`, and every task under `--stub`).

It proves the machinery without touching the project: it writes its marker, enqueues the
follow-ups it was given, and reports a handoff.
"""

from __future__ import annotations

import json
import re

from wizard_tui.agents.base import AgentRequest
from wizard_tui.agents.offline.session import Session


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\s*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1).strip() if match else ""


async def stub_task(s: Session, request: AgentRequest) -> None:
    """Marker, follow-ups, handoff: the stub body of `stub.md`."""
    task = request.task
    assert task is not None
    goal = _section(request.agent.prompt, "Goal of this task type") or f"Carry out the {task.type} task."
    goal = goal.split("\n\nIn this milestone")[0].strip()
    handoffs = await s.call("read_handoffs", {})
    previous = [h.get("task_id") for h in (handoffs or {}).get("handoffs", [])]
    marker = await s.call("write_marker", {"note": f"stub body ran for {task.type}: {task.label}"})
    enqueued: list[str] = []
    refused = 0
    follow_ups = task.inputs.get("follow_ups") if isinstance(task.inputs, dict) else None
    if isinstance(follow_ups, list) and "enqueue_task" in s.tools.names:
        for fu in follow_ups:
            if not isinstance(fu, dict):
                continue
            fu_inputs = fu.get("inputs")
            new_id = await s.enqueue(
                str(fu.get("type", "capture")),
                str(fu.get("label", "Follow-up"))[:80],
                fu_inputs if isinstance(fu_inputs, dict) else {},
                [task.id],
                str(fu.get("reason") or "Follow-up found by exploration."),
            )
            if new_id:
                enqueued.append(new_id)
            else:
                refused += 1
    did = f"Wrote the marker {marker.get('path') if marker else '(failed)'} (stub body; no project file changed)."
    if enqueued:
        did += f" Enqueued {len(enqueued)} follow-up task(s): {', '.join(enqueued)}."
    if refused:
        did += f" {refused} follow-up(s) were refused by a guard."
    context = f"Built on {', '.join(p for p in previous if p)}." if previous else "No earlier handoffs."
    await s.call(
        "complete_task",
        {
            "status": "done",
            "handoff": {
                "goal": f"{task.label}: {goal}",
                "did": did,
                "for_next_agent": (
                    f"The {task.type} step is a stub in this milestone; a real body would do: {goal} {context}"
                ),
                "files_touched": [marker["path"]] if marker else [],
                "evidence": f"write_marker returned {json.dumps(marker)}",
            },
        },
    )
