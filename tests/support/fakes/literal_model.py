"""A scripted model that knows a tool only from its definition: the effect of tool descriptions.

It plays the seed and stub procedures like `SkeletonModel`, but two of its choices depend
on what the tool definitions it was sent say, as a model's do:

- A task type it enqueues: with `enqueue_task.type` an enum in the schema it picks from
  the enum; without one it first writes the type the way the plan phrases it
  (`identify-users`), and only the guard's refusal, which lists the valid types, corrects it.
- How it finishes: when `complete_task`'s description says that calling it ends the
  agent, its last turn is that call; otherwise it first ends its turn with a summary in
  text, as models often do, and is nudged to report.

`correction_turns` counts the requests that answer a mistake: an error tool result or the
nudge. It is a model of a reader, not a real model: the before/after figure says what the
definitions state, not how a real model behaves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.support.fakes.messages_api import Exchange, RecordedRequest, Reply, Turn, text
from tests.support.fakes.skeleton_model import SkeletonModel
from wizard_tui.agents.anthropic_agent import NUDGE

# How a plan phrases each task type when nothing says the exact name.
PARAPHRASES = {"identify": "identify-users", "plan-capture": "plan-events", "capture": "capture-events"}
_ENDS_AGENT = re.compile(r"\bends? (your|the) agent\b", re.IGNORECASE)


def tool_definition(request: RecordedRequest, name: str) -> dict[str, Any]:
    return next((t for t in request.body.get("tools") or [] if t.get("name") == name), {})


def type_choices(request: RecordedRequest) -> list[str] | None:
    """The enum of `enqueue_task.type` as sent to the model, or None when the schema has none."""
    schema = tool_definition(request, "enqueue_task").get("input_schema") or {}
    choices = (schema.get("properties") or {}).get("type", {}).get("enum")
    return list(choices) if choices else None


def says_it_ends_the_agent(request: RecordedRequest) -> bool:
    return bool(_ENDS_AGENT.search(str(tool_definition(request, "complete_task").get("description", ""))))


def is_correction(request: RecordedRequest) -> bool:
    """Whether this request answers a mistake: its newest user turn holds an error result or the nudge."""
    if not request.messages or request.messages[-1]["role"] != "user":
        return False
    content = request.messages[-1]["content"]
    if not isinstance(content, list):
        return False
    return any(b.get("is_error") for b in content) or any(b.get("text") == NUDGE for b in content)


def correction_turns(exchanges: list[Exchange]) -> int:
    return sum(1 for e in exchanges if is_correction(e.request))


@dataclass
class LiteralModel(SkeletonModel):
    """`SkeletonModel` whose task types and endings follow the tool definitions (see the module)."""

    def __call__(self, request: RecordedRequest) -> Reply:
        if request.tool_names and not request.is_orchestrator:
            finishing = self._finishing_without_knowing(request)
            if finishing is not None:
                return finishing
        reply = super().__call__(request)
        if request.is_orchestrator and isinstance(reply, Turn) and not self._knows_types(request):
            for block in reply.content:
                if block.get("name") == "enqueue_task":
                    kind = block["input"].get("type")
                    block["input"] = {**block["input"], "type": PARAPHRASES.get(kind, kind)}
        return reply

    @staticmethod
    def _knows_types(request: RecordedRequest) -> bool:
        # The enum, or a refusal that listed the valid types earlier in this conversation.
        refused = any(c.is_error and "Valid types:" in (c.result or "") for c in request.tool_calls())
        return type_choices(request) is not None or refused

    def _finishing_without_knowing(self, request: RecordedRequest) -> Reply | None:
        """A summary in text where the report should be, when nothing said the report ends the agent."""
        if says_it_ends_the_agent(request) or any(b.get("text") == NUDGE for b in _user_blocks(request)):
            return None
        planned = super().__call__(request)
        if isinstance(planned, Turn) and any(b.get("name") == "complete_task" for b in planned.content):
            return Turn([text("I wrote the marker and enqueued the follow-ups; the task is done.")])
        return None


def _user_blocks(request: RecordedRequest) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for m in request.messages:
        if m["role"] == "user" and isinstance(m["content"], list):
            blocks.extend(b for b in m["content"] if isinstance(b, dict))
    return blocks
