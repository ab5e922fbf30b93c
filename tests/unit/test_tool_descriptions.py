"""What the model is told about each tool: when to use it, what it returns, its limits."""

from __future__ import annotations

import re

import pytest

from tests.support.harness import Harness
from wizard_tui.domain.tools import TOOLS

# A sentence ends at . ! or ? followed by a new sentence (a capital, a backtick) or the end.
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z`(]|\s*$)")


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_every_tool_has_three_or_four_sentences_saying_when_what_and_limits(name: str) -> None:
    description = TOOLS[name].description
    assert 3 <= len(_SENTENCE_END.findall(description)) <= 4, description
    assert description.startswith("Use this"), "the first sentence says when to use it"
    assert "return" in description or "writes" in description, "it says what comes back"


def test_complete_task_says_that_it_ends_the_agent() -> None:
    assert "Calling it ends your agent" in TOOLS["complete_task"].description


def test_enqueue_task_type_is_an_enum_of_the_runs_task_types(harness: Harness) -> None:
    definitions = {d["name"]: d for d in harness.box().definitions()}
    type_schema = definitions["enqueue_task"]["input_schema"]["properties"]["type"]
    assert type_schema["enum"] == harness.services.library.task_types and type_schema["type"] == "string"


async def test_an_unknown_type_still_reaches_the_guard_that_names_the_valid_ones(harness: Harness) -> None:
    result = await harness.box().call("enqueue_task", {"type": "deploy", "label": "x", "reason": "y"})
    assert result.is_error and "unknown-type" in result.content and "Valid types:" in result.content
    assert [r.event for r in harness.audit] == ["guard"]
